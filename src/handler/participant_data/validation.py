"""Turns untrusted input into an AttributeUpdate, or a clear 4xx error, before anything reaches Genesys.

Values are strings in Genesys's schema (`dict(str, str)`, docs/genesys-facts.md#participant-attributes-patch):
numbers and booleans become their JSON text, anything else is refused naming the key. An empty map is
refused too: what Genesys does with `{}` is unconfirmed (docs/genesys-facts.md#merge-vs-replace), so it is
never sent. Error messages name keys
(the caller's own) but never echo values.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from participant_data.errors import InvalidRequest, PayloadTooLarge
from participant_data.models import CUSTOMER_ALIAS, AttributeUpdate
from participant_data.settings import Limits

# Matched with fullmatch: `$` alone would also accept a trailing newline.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Control characters a value may carry (text with line breaks); every other one is refused.
VALUE_WHITESPACE = frozenset("\t\n\r")
# Keys are names a flow reads back: besides control characters and lone surrogates, refuse invisible
# format characters (zero-width, bidi overrides: keys that look alike but differ), private-use,
# unassigned code points and line/paragraph separators.
BAD_KEY_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"})
# Values may carry any text but control characters (other than VALUE_WHITESPACE) and lone surrogates.
BAD_VALUE_CATEGORIES = frozenset({"Cc", "Cs"})
_MAX_SHOWN_KEY = 64

# `queueIfUnavailable` (optional boolean, default true): false says the flow must know the write happened
# now, so it is never queued in the outbox (logic/outbox_routing.py).
QUEUE_OPT_OUT = "queueIfUnavailable"
BODY_FIELDS = frozenset({"attributes", QUEUE_OPT_OUT})
EVENT_FIELDS = frozenset({"conversationId", "participantId", "attributes", QUEUE_OPT_OUT})


def update_from_http(
    conversation_id: str | None, participant_id: str | None, body: bytes, limits: Limits
) -> AttributeUpdate:
    """From the path parameters and the raw (already base64-decoded) body of an API request."""
    document = parse_json_object(body, limits)
    _refuse_unknown_fields(document, BODY_FIELDS, "body")
    return build_update(
        conversation_id, participant_id, document.get("attributes"), limits, document.get(QUEUE_OPT_OUT)
    )


def update_from_event(event: object, limits: Limits) -> AttributeUpdate:
    """From a direct invocation by Genesys's AWS Lambda data actions integration."""
    if not isinstance(event, Mapping):  # Lambda accepts any JSON as an event: a list, a string, a number
        raise InvalidRequest(
            'The event must be a JSON object: {"conversationId", "participantId", "attributes"}.'
        )
    try:
        size = len(json.dumps(event, ensure_ascii=False).encode("utf-8", errors="surrogatepass"))
    except (TypeError, ValueError):
        raise InvalidRequest("The event is not a JSON object.") from None
    if size > limits.max_body_bytes:
        raise PayloadTooLarge(f"The request is {size} bytes; at most {limits.max_body_bytes} are accepted.")
    _refuse_unknown_fields(event, EVENT_FIELDS, "event")
    return build_update(
        event.get("conversationId"),
        event.get("participantId"),
        event.get("attributes"),
        limits,
        event.get(QUEUE_OPT_OUT),
    )


def parse_json_object(body: bytes, limits: Limits) -> dict[str, Any]:
    """A JSON object from UTF-8 bytes: no duplicate keys, no NaN or Infinity, within the size limit."""
    if len(body) > limits.max_body_bytes:
        raise PayloadTooLarge(f"The body is {len(body)} bytes; at most {limits.max_body_bytes} are accepted.")
    if not body.strip():
        raise InvalidRequest('The body is empty; send {"attributes": {"key": "value"}}.')
    try:
        text = body.decode("utf-8")
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise InvalidRequest("The body is not valid UTF-8.") from None
    except RecursionError:
        raise InvalidRequest("The body is nested too deeply.") from None
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"The body is not valid JSON ({error.msg} at character {error.pos}).") from None
    except ValueError:  # an integer longer than Python's int/str conversion limit (4,300 digits)
        raise InvalidRequest("The body contains a number too long to read.") from None
    if not isinstance(document, dict):
        raise InvalidRequest('The body must be a JSON object: {"attributes": {"key": "value"}}.')
    return document


def build_update(
    conversation_id: object,
    participant_id: object,
    attributes: object,
    limits: Limits,
    queue_if_unavailable: object = None,
) -> AttributeUpdate:
    return AttributeUpdate(
        conversation_id=valid_conversation_id(conversation_id),
        participant_id=valid_participant_id(participant_id),
        attributes=_attributes(attributes, limits),
        queue_if_unavailable=_queue_if_unavailable(queue_if_unavailable),
    )


def _queue_if_unavailable(value: object) -> bool:
    """Absent means true; otherwise a JSON boolean (not "false", not 0: an opt-out must be unambiguous)."""
    if value is None:
        return True
    if not isinstance(value, bool):
        raise InvalidRequest(f"{QUEUE_OPT_OUT} must be true or false.")
    return value


def valid_conversation_id(value: object) -> str:
    if not isinstance(value, str) or not UUID.fullmatch(value):
        raise InvalidRequest("conversationId must be a Genesys conversation UUID (Call.ConversationId).")
    return value.lower()


def valid_participant_id(value: object) -> str:
    if isinstance(value, str) and value.lower() == CUSTOMER_ALIAS:
        return CUSTOMER_ALIAS
    if not isinstance(value, str) or not UUID.fullmatch(value):
        raise InvalidRequest(f"participantId must be a participant UUID or the alias '{CUSTOMER_ALIAS}'.")
    return value.lower()


def _attributes(value: object, limits: Limits) -> dict[str, str]:
    if value is None:
        raise InvalidRequest('attributes is missing: send {"attributes": {"key": "value"}}.')
    if not isinstance(value, dict):
        raise InvalidRequest("attributes must be a JSON object of key/value pairs.")
    if not value:
        raise InvalidRequest("attributes is empty: name at least one key to set.")
    if len(value) > limits.max_attributes:
        raise InvalidRequest(
            f"attributes has {len(value)} keys; at most {limits.max_attributes} are accepted."
        )
    return {_key(key, limits): _value(key, item, limits) for key, item in value.items()}


def _key(key: object, limits: Limits) -> str:
    if not isinstance(key, str) or not key.strip():
        raise InvalidRequest("Every attribute key must be a non-blank string.")
    if len(key) > limits.max_key_length:
        raise InvalidRequest(
            f"The key {_shown(key)} is {len(key)} characters; at most {limits.max_key_length} are accepted."
        )
    if not _plain_ascii(key) and any(unicodedata.category(char) in BAD_KEY_CATEGORIES for char in key):
        raise InvalidRequest(
            f"The key {_shown(key)} contains a control character or invalid Unicode"
            " (control, format, private-use, unassigned or line-separator characters are refused in keys)."
        )
    if not limits.allows_key(key):
        raise InvalidRequest(f"The key {_shown(key)} is not allowed here; {_allow_list(limits)}.")
    return key


def _allow_list(limits: Limits) -> str:
    """What the allow-list accepts, for the message (operator configuration, not a secret)."""
    parts = []
    if limits.allowed_attribute_keys:
        parts.append(
            "the keys " + ", ".join(_shown(name) for name in sorted(limits.allowed_attribute_keys)[:10])
        )
    if limits.allowed_attribute_prefixes:
        parts.append(
            "keys starting with " + ", ".join(_shown(p) for p in limits.allowed_attribute_prefixes[:10])
        )
    return "accepted are " + " and ".join(parts)


def _value(key: str, value: object, limits: Limits) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float) and math.isfinite(value):
        text = json.dumps(value)
    elif isinstance(value, str):
        text = value
    else:
        raise InvalidRequest(
            f"The value of {_shown(key)} is {_kind(value)}; values must be strings, numbers or booleans."
        )
    if len(text) > limits.max_value_length:
        raise InvalidRequest(
            f"The value of {_shown(key)} is {len(text)} characters;"
            f" at most {limits.max_value_length} are accepted."
        )
    if not _plain_ascii(text) and any(
        unicodedata.category(char) in BAD_VALUE_CATEGORIES and char not in VALUE_WHITESPACE for char in text
    ):
        raise InvalidRequest(f"The value of {_shown(key)} contains a control character or invalid Unicode.")
    return text


def _plain_ascii(text: str) -> bool:
    """Printable ASCII has none of the refused characters: the common case skips the per-character scan."""
    return text.isascii() and text.isprintable()


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "not a finite number" if isinstance(value, float) else f"of type {type(value).__name__}"


def _refuse_unknown_fields(document: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(name) for name in document if name not in allowed)
    if unknown:
        shown = ", ".join(_shown(name) for name in unknown[:5])
        raise InvalidRequest(
            f"The {where} has unknown fields: {shown}; allowed: {', '.join(sorted(allowed))}."
        )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InvalidRequest(f"The body repeats the key {_shown(key)}.")
        document[key] = value
    return document


def _no_constants(name: str) -> None:
    raise InvalidRequest(f"The body contains {name}, which is not valid JSON.")


def _shown(key: str) -> str:
    """A key as it may appear in a message: quoted, escaped, and cut short."""
    return json.dumps(key if len(key) <= _MAX_SHOWN_KEY else key[:_MAX_SHOWN_KEY] + "…")
