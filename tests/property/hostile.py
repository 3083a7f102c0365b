"""Strategies for malformed requests: a valid request with exactly one thing wrong, and what the answer
must say about it.

Each strategy draws a `Case`: the Lambda event, the 4xx status the caller must get and a pattern its
message must match (the message names the problem). Every value a case carries contains VALUE_MARKER,
so an error message that echoed a value would be caught.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from participant_data.settings import Limits
from tests.events import CONVERSATION, PARTICIPANT, ROUTE, api_event

LIMITS = Limits()
ROUTE_METHOD = "PATCH"
VALUE_MARKER = "VAL-7f3a"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Characters a key may not carry: control, surrogate, format (zero-width, bidi overrides), private-use,
# unassigned, line and paragraph separators.
Category = Literal["Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp", "L", "N"]
BAD_KEY_CATEGORIES: tuple[Category, ...] = ("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp")


@dataclass(frozen=True)
class Case:
    kind: str  # "rest", "http" or "direct"
    what: str  # the one thing wrong, for failure reports
    event: Any
    status: int | frozenset[int]
    message: str  # a regular expression the error message must match

    def allows(self, status: int) -> bool:
        return status == self.status if isinstance(self.status, int) else status in self.status


# --- valid building blocks ---------------------------------------------------------------------------

valid_keys = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="_-. "), min_size=1, max_size=40
).filter(lambda key: key.strip() != "")
valid_values: st.SearchStrategy[object] = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=40).map(
        lambda text: VALUE_MARKER + text
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
valid_attributes = st.dictionaries(valid_keys, valid_values, min_size=1, max_size=5)
kinds = st.sampled_from(["rest", "http"])


def not_uuid(text: str) -> bool:
    return not UUID.match(text) and text.lower() != "customer"


# --- body mutations (API Gateway events) -------------------------------------------------------------


def _json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False)


@st.composite
def bad_bodies(draw: st.DrawFn) -> tuple[str, bytes | str, int, str]:
    """(what, body, status, message): a body with one thing wrong. bytes are sent base64-encoded."""
    attributes = draw(valid_attributes)
    choice = draw(st.integers(min_value=0, max_value=17))
    if choice == 0:  # not UTF-8: a valid body with an invalid byte sequence spliced in
        raw = _json({"attributes": attributes}).encode()
        cut = draw(st.integers(min_value=0, max_value=len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
        return "invalid UTF-8", raw[:cut] + bad + raw[cut:], 400, "not valid UTF-8"
    if choice == 1:  # a lone surrogate in a str body
        surrogate = draw(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
        key = draw(valid_keys)
        return (
            "lone surrogate",
            '{"attributes": {"' + key + '": "' + surrogate + '"}}',
            400,
            "not valid UTF-8",
        )
    if choice == 2:  # the body is JSON but not an object
        document = draw(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.lists(st.integers(), max_size=5))
        )
        return "not an object", _json(document), 400, "must be a JSON object"
    if choice == 3:  # attributes of the wrong type
        value = draw(st.one_of(st.booleans(), st.integers(), st.text(), st.lists(valid_values, max_size=3)))
        return "attributes wrong type", _json({"attributes": value}), 400, "attributes must be a JSON object"
    if choice == 4:  # a value that is not a string, number or boolean
        key = draw(valid_keys)
        bad_value: object = draw(
            st.one_of(
                st.none(), st.lists(valid_values, max_size=3), st.dictionaries(valid_keys, valid_values)
            )
        )
        attributes[key] = bad_value
        return "bad value type", _json({"attributes": attributes}), 400, r"The value of .* is (null|an)"
    if choice == 5:  # over the size limit
        key = draw(valid_keys)
        size = draw(st.integers(min_value=LIMITS.max_body_bytes + 1, max_value=LIMITS.max_body_bytes * 3))
        return "huge body", _json({"attributes": {key: "x" * size}}), 413, "at most 65536"
    if choice == 6:  # deeply nested
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        depth = draw(st.integers(min_value=2, max_value=60_000 // len(opener + closer)))  # under the size cap
        nested = opener * depth + "1" + closer * depth
        where = draw(st.booleans())
        body = nested if where else '{"attributes": {"k": ' + nested + "}}"
        return (
            "deep nesting",
            body,
            400,
            r"nested too deeply|must be a JSON object|unknown fields|The value of .* is an",
        )
    if choice == 7:  # a key with a control, format, private-use or unassigned character
        key = draw(valid_keys)
        bad_char = draw(st.characters(categories=tuple(c for c in BAD_KEY_CATEGORIES if c != "Cs")))
        cut = draw(st.integers(min_value=0, max_value=len(key)))
        attributes[key[:cut] + bad_char + key[cut:]] = "v"
        return "odd key character", _json({"attributes": attributes}), 400, "control character or invalid"
    if choice == 8:  # a duplicate key, in the attributes or at the top level
        key = draw(valid_keys)
        if draw(st.booleans()):
            body = '{"attributes": {' + f"{_json(key)}: 1, {_json(key)}: 2" + "}}"
        else:
            body = '{"attributes": {"a": "1"}, "attributes": {"b": "2"}}'
        return "duplicate key", body, 400, "repeats the key"
    if choice == 9:  # missing or empty attributes
        body = draw(st.sampled_from(["{}", '{"attributes": null}', '{"attributes": {}}', " ", ""]))
        return "missing attributes", body, 400, "attributes is missing|attributes is empty|body is empty"
    if choice == 10:  # extra top-level fields
        extra = draw(
            st.dictionaries(valid_keys.filter(lambda k: k != "attributes"), valid_values, min_size=1)
        )
        return "extra fields", _json({"attributes": attributes, **extra}), 400, "unknown fields"
    if choice == 11:  # too many keys
        count = draw(st.integers(min_value=LIMITS.max_attributes + 1, max_value=LIMITS.max_attributes * 4))
        many = {f"k{i}": "v" for i in range(count)}
        return "too many keys", _json({"attributes": many}), 400, f"{count} keys; at most 50"
    if choice == 12:  # a key too long
        key = draw(st.text(alphabet="abcxyz_", min_size=LIMITS.max_key_length + 1, max_size=600))
        return "key too long", _json({"attributes": {key: "v"}}), 400, "characters; at most 128"
    if choice == 13:  # a value too long
        size = draw(st.integers(min_value=LIMITS.max_value_length + 1, max_value=20_000))
        return (
            "value too long",
            _json({"attributes": {"k": VALUE_MARKER * (size // 8 + 1)}}),
            400,
            "at most 2048",
        )
    if choice == 14:  # NaN, Infinity or an overflowing number
        constant = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999"]))
        message = "not a finite number" if "e" in constant else "not valid JSON"
        return "non-finite number", '{"attributes": {"k": ' + constant + "}}", 400, message
    if choice == 15:  # truncated JSON
        text = _json({"attributes": attributes})
        cut = draw(st.integers(min_value=1, max_value=len(text) - 1))
        return "truncated JSON", text[:cut], 400, "not valid JSON"
    if choice == 16:  # a blank key
        blank = draw(st.text(alphabet=" \t\u3000\u00a0", max_size=5))
        attributes[blank] = "v"
        return "blank key", _json({"attributes": attributes}), 400, "non-blank|control character"
    # random garbage that is not JSON at all (a letter first: never a JSON value)
    garbage = draw(st.text(min_size=1, max_size=200))
    return "garbage", "x" + garbage, 400, "not valid JSON|not valid UTF-8"


@st.composite
def api_body_cases(draw: st.DrawFn) -> Case:
    kind = draw(kinds)
    what, body, status, message = draw(bad_bodies())
    if isinstance(body, bytes):
        event = api_event(kind, raw_body="", base64_body=False)
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    else:
        event = api_event(kind, raw_body=body, base64_body=draw(st.booleans()))
    return Case(kind, what, event, status, message)


# --- envelope mutations: method, route, IDs, content type, base64 ------------------------------------

other_methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"])
path_segment = st.text(alphabet=st.characters(exclude_characters="/?#"), min_size=1, max_size=20)


@st.composite
def api_envelope_cases(draw: st.DrawFn) -> Case:
    kind = draw(kinds)
    good_body = _json({"attributes": draw(valid_attributes)})
    choice = draw(st.integers(min_value=0, max_value=5))
    if choice == 0:
        method = draw(other_methods)
        return Case(
            kind, f"method {method}", api_event(kind, raw_body=good_body, method=method), 404, "No such route"
        )
    if choice == 1:  # a route the API does not serve (another resource, a catch-all), whatever the raw path
        segments = draw(st.lists(st.one_of(path_segment, st.just("{proxy+}")), max_size=6))
        route = "$default" if kind == "http" and draw(st.booleans()) else "/" + "/".join(segments)
        if route == ROUTE:
            route += "/extra"
        # The raw path may even be the attributes path: only the resolved route counts.
        path = draw(
            st.sampled_from([None, ROUTE.format(conversationId=CONVERSATION, participantId=PARTICIPANT)])
        )
        event = api_event(kind, raw_body=good_body, route=route, path=path)
        return Case(kind, "unknown route", event, 404, "No such route")
    if choice == 2:  # a bad conversation id
        bad = draw(path_segment.filter(not_uuid))
        event = api_event(kind, raw_body=good_body, conversation_id=bad)
        return Case(kind, "bad conversationId", event, frozenset({400, 404}), "conversationId|No such route")
    if choice == 3:  # a bad participant id
        bad = draw(path_segment.filter(not_uuid))
        event = api_event(kind, raw_body=good_body, participant_id=bad)
        return Case(kind, "bad participantId", event, frozenset({400, 404}), "participantId|No such route")
    if choice == 4:  # a content type that is not JSON
        content_type = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "text/plain",
                        "application/xml",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data",
                        "application/jsonp",
                        "json",
                        "text/json; charset=utf-8",
                        "application/octet-stream",
                        " ",
                    ]
                ),
                st.text(max_size=40),
            ).filter(_not_json_content_type)
        )
        event = api_event(kind, raw_body=good_body, content_type=content_type)
        return Case(kind, "content type", event, 415, "Content-Type must be application/json")
    # marked base64 but not base64
    text = draw(st.text(min_size=1, max_size=200))
    junk = draw(st.sampled_from(["!", "*", "{", "é", "=a", "\x00", "a"]))
    body = text + junk
    try:
        base64.b64decode(body, validate=True)
    except ValueError:
        pass
    else:  # it happened to be valid base64: make it not
        body += "!"
    event = api_event(kind)
    event["body"], event["isBase64Encoded"] = body, True
    return Case(kind, "not base64", event, 400, "not valid base64")


def _not_json_content_type(value: str) -> bool:
    if not value:  # an absent or empty header defaults to JSON
        return False
    media = value.split(";")[0].strip().lower()
    return media != "application/json" and not media.endswith("+json")


# --- direct invocations ------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def direct_event_cases(draw: st.DrawFn) -> Case:
    """A direct-invocation event with one thing wrong."""
    event: dict[str, Any] = {
        "conversationId": CONVERSATION,
        "participantId": draw(st.sampled_from([PARTICIPANT, "customer"])),
        "attributes": draw(valid_attributes),
    }
    choice = draw(st.integers(min_value=0, max_value=6))
    if choice == 0:  # a required field missing
        field = draw(st.sampled_from(sorted(event)))
        del event[field]
        return Case("direct", f"missing {field}", event, 400, f"{field}|attributes is missing")
    if choice == 1:  # an ID of the wrong type or shape
        field = draw(st.sampled_from(["conversationId", "participantId"]))
        event[field] = draw(json_values.filter(lambda v: not isinstance(v, str) or not_uuid(v)))
        return Case("direct", f"bad {field}", event, 400, field)
    if choice == 2:  # attributes of the wrong type
        event["attributes"] = draw(json_values.filter(lambda v: not isinstance(v, dict)))
        return Case(
            "direct", "attributes wrong type", event, 400, "attributes (is missing|must be a JSON object)"
        )
    if choice == 3:  # extra fields (the IVR sent its whole input object)
        extra = draw(
            st.dictionaries(
                st.text(max_size=20).filter(lambda k: k not in event), json_values, min_size=1
            ).filter(lambda d: not isinstance(d.get("requestContext"), dict))  # that is an API Gateway event
        )
        event.update(extra)
        return Case("direct", "extra fields", event, 400, "unknown fields")
    if choice == 4:  # a bad value
        key = draw(valid_keys)
        event["attributes"][key] = draw(
            st.one_of(st.none(), st.lists(json_scalars, max_size=3), st.just(float("nan")))
        )
        return Case("direct", "bad value", event, 400, r"The value of .* is (null|an array|not a finite)")
    if choice == 5:  # an odd key
        key = draw(valid_keys) + draw(st.characters(categories=BAD_KEY_CATEGORIES))
        event["attributes"][key] = "v"
        return Case("direct", "odd key", event, 400, "control character or invalid")
    size = draw(st.integers(min_value=LIMITS.max_body_bytes + 1, max_value=LIMITS.max_body_bytes * 2))
    event["attributes"] = {"k": "x" * size}
    return Case("direct", "huge event", event, 413, "at most 65536")


@st.composite
def any_event_cases(draw: st.DrawFn) -> Case:
    """Whatever JSON someone allowed to invoke the function may send, including fake proxy events."""
    choice = draw(st.integers(min_value=0, max_value=2))
    if choice == 0:  # not an object at all
        event = draw(json_values.filter(lambda v: not isinstance(v, dict)))
        return Case("direct", "non-object event", event, 400, "must be a JSON object")
    if choice == 1:  # an object with arbitrary fields
        event = draw(
            st.dictionaries(st.text(max_size=15), json_values, max_size=6).filter(
                lambda d: (
                    not ("httpMethod" in d and "requestContext" in d)
                    and not (d.get("version") == "2.0" and "routeKey" in d)
                    and not (d.get("source") == "aws.events" and d.get("detail-type") == "Scheduled Event")
                )
            )
        )
        return Case("direct", "arbitrary object", event, frozenset({400, 413}), ".")
    # something that looks like an API Gateway event but has wrong types or parts missing
    shape = draw(st.sampled_from(["rest", "http"]))
    if shape == "rest":
        event = {"httpMethod": draw(json_values), "requestContext": draw(json_values)}
    else:
        event = {"version": "2.0", "routeKey": draw(json_values)}
    event.update(
        draw(
            st.dictionaries(
                st.sampled_from(
                    [
                        "path",
                        "rawPath",
                        "resource",
                        "headers",
                        "body",
                        "isBase64Encoded",
                        "pathParameters",
                        "requestContext",
                        "multiValueHeaders",
                    ]
                ),
                json_values,
                max_size=5,
            )
        )
    )
    return Case("direct", f"malformed {shape} proxy event", event, frozenset({400, 404, 405, 413, 415}), ".")
