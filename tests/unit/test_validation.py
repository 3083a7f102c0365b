from __future__ import annotations

import json
import re

import pytest

from participant_data.errors import InvalidRequest, PayloadTooLarge
from participant_data.models import CUSTOMER_ALIAS
from participant_data.settings import Limits
from participant_data.validation import update_from_event, update_from_http

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
LIMITS = Limits(max_attributes=5, max_key_length=20, max_value_length=30, max_body_bytes=2000)


def from_body(body: object, participant: str = PARTICIPANT, limits: Limits = LIMITS) -> dict[str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return dict(update_from_http(CONVERSATION, participant, raw, limits).attributes)


def test_strings_pass_and_numbers_and_booleans_become_their_json_text() -> None:
    attributes = from_body(
        {"attributes": {"tier": "gold", "priority": 5, "score": 2.5, "vip": True, "new": False}}
    )

    assert attributes == {"tier": "gold", "priority": "5", "score": "2.5", "vip": "true", "new": "false"}


def test_keys_keep_case_spaces_and_dots() -> None:
    assert from_body({"attributes": {"Customer Tier.v2": "x", "customer tier.v2": "y"}}) == {
        "Customer Tier.v2": "x",
        "customer tier.v2": "y",
    }


def test_ids_are_normalised_and_the_customer_alias_is_recognised() -> None:
    update = update_from_http(CONVERSATION.upper(), "Customer", b'{"attributes": {"a": "b"}}', LIMITS)

    assert update.conversation_id == CONVERSATION
    assert update.participant_id == CUSTOMER_ALIAS
    assert update.names_customer


@pytest.mark.parametrize(
    ("value", "kind"),
    [(None, "null"), ({"x": 1}, "an object"), ([1, 2], "an array")],
)
def test_null_objects_and_arrays_are_refused_naming_the_key(value: object, kind: str) -> None:
    with pytest.raises(InvalidRequest, match=f'The value of "ivr_choice" is {kind}'):
        from_body({"attributes": {"ok": "1", "ivr_choice": value}})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"attributes": {}}, "attributes is empty"),
        ({}, "attributes is missing"),
        ({"attributes": "a=b"}, "must be a JSON object"),
        ({"attributes": {"a": "b"}, "extra": 1}, 'unknown fields: "extra"'),
        ([{"attributes": {"a": "b"}}], "must be a JSON object"),
        ({"attributes": {f"k{i}": "v" for i in range(6)}}, "6 keys; at most 5"),
        ({"attributes": {"k" * 21: "v"}}, "21 characters; at most 20"),
        ({"attributes": {"k": "v" * 31}}, 'value of "k" is 31 characters; at most 30'),
        ({"attributes": {" ": "v"}}, "non-blank"),
        ({"attributes": {"a\x00b": "v"}}, "control character"),
        ({"attributes": {"k": "v\x07"}}, "control character"),
    ],
)
def test_bad_bodies_are_refused_with_a_clear_message(body: object, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        from_body(body)


def test_values_may_carry_line_breaks_and_tabs() -> None:
    assert from_body({"attributes": {"note": "line one\nline\ttwo\r"}}) == {"note": "line one\nline\ttwo\r"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "body is empty"),
        (b"{not json", "not valid JSON"),
        (b'{"attributes": {"a": "1", "a": "2"}}', 'repeats the key "a"'),
        (b'{"attributes": {"a": NaN}}', "NaN"),
        (b'{"attributes": {"a": 1e400}}', 'value of "a" is not a finite number'),
        (b'{"attributes": {"a": "\xff"}}', "not valid UTF-8"),
        (b'{"attributes": {"a": "\\ud800"}}', "invalid Unicode"),
        (b"[" * 100_000, "nested too deeply|not valid JSON"),
        (b'{"attributes": {"a": ' + b"9" * 5000 + b"}}", "number too long"),
    ],
)
def test_malformed_json_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        from_body(raw, limits=Limits(max_body_bytes=200_000))


def test_a_body_over_the_size_limit_is_413() -> None:
    with pytest.raises(PayloadTooLarge, match="at most 2000"):
        from_body({"attributes": {"k": "v" * 2000}})


@pytest.mark.parametrize(
    ("conversation", "participant", "message"),
    [
        ("not-a-uuid", PARTICIPANT, "conversationId"),
        (None, PARTICIPANT, "conversationId"),
        (CONVERSATION, "agent", "participantId"),
        (CONVERSATION, "", "participantId"),
        (CONVERSATION + "\n", PARTICIPANT, "conversationId"),
        (CONVERSATION, PARTICIPANT + "\n", "participantId"),
    ],
)
def test_ids_must_be_uuids(conversation: str | None, participant: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        update_from_http(conversation, participant, b'{"attributes": {"a": "b"}}', LIMITS)


def test_a_direct_invocation_event_gives_the_same_update() -> None:
    event = {"conversationId": CONVERSATION, "participantId": PARTICIPANT, "attributes": {"priority": 5}}

    update = update_from_event(event, LIMITS)

    assert (update.conversation_id, update.participant_id, dict(update.attributes)) == (
        CONVERSATION,
        PARTICIPANT,
        {"priority": "5"},
    )


@pytest.mark.parametrize(
    ("event", "error", "message"),
    [
        (
            {"conversationId": CONVERSATION, "participantId": PARTICIPANT},
            InvalidRequest,
            "attributes is missing",
        ),
        ({"conversationId": CONVERSATION, "attributes": {"a": "b"}}, InvalidRequest, "participantId"),
        (
            {"conversationId": CONVERSATION, "participantId": PARTICIPANT, "attributes": {"a": "b"}, "x": 1},
            InvalidRequest,
            "unknown fields",
        ),
        (
            {"conversationId": CONVERSATION, "participantId": PARTICIPANT, "attributes": {"a": "b" * 3000}},
            PayloadTooLarge,
            "at most 2000",
        ),
    ],
)
def test_bad_direct_events_are_refused(
    event: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        update_from_event(event, LIMITS)


ALLOW_LISTED = Limits(
    allowed_attribute_keys=frozenset({"ivr_choice", "tier"}), allowed_attribute_prefixes=("crm.",)
)


@pytest.mark.parametrize("attributes", [{"ivr_choice": "1"}, {"tier": "gold", "crm.segment": "b2b"}])
def test_the_allow_list_accepts_exact_names_and_prefixes(attributes: dict[str, str]) -> None:
    assert from_body({"attributes": attributes}, limits=ALLOW_LISTED) == attributes


@pytest.mark.parametrize("key", ["Tier", "tier ", "crm", "CRM.segment", "ivr_choice2", "other"])
def test_the_allow_list_refuses_other_keys_naming_them(key: str) -> None:
    with pytest.raises(InvalidRequest, match=f'The key "{re.escape(key)}" is not allowed here') as refused:
        from_body({"attributes": {"tier": "gold", key: "secret-value"}}, limits=ALLOW_LISTED)

    assert '"ivr_choice", "tier"' in refused.value.message
    assert '"crm."' in refused.value.message
    assert "secret-value" not in refused.value.message


def test_a_direct_invocation_obeys_the_allow_list_too() -> None:
    event = {"conversationId": CONVERSATION, "participantId": PARTICIPANT, "attributes": {"x": "1"}}

    with pytest.raises(InvalidRequest, match='"x" is not allowed'):
        update_from_event(event, ALLOW_LISTED)


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\ufeff", "\ue000", "\u2028", "\U000e0001"])
def test_invisible_format_private_and_separator_characters_are_refused_in_keys(char: str) -> None:
    with pytest.raises(InvalidRequest, match="control character or invalid Unicode"):
        from_body({"attributes": {f"tier{char}": "gold"}})


@pytest.mark.parametrize("event", [[], "text", 5, None, True])
def test_a_direct_invocation_that_is_not_an_object_is_refused(event: object) -> None:
    with pytest.raises(InvalidRequest, match="must be a JSON object"):
        update_from_event(event, LIMITS)


@pytest.mark.parametrize(("given", "expected"), [({}, True), ({"queueIfUnavailable": None}, True),
                                                 ({"queueIfUnavailable": True}, True),
                                                 ({"queueIfUnavailable": False}, False)])  # fmt: skip
def test_the_queue_opt_out_is_read_from_the_body_and_the_event(
    given: dict[str, object], expected: bool
) -> None:
    body = json.dumps({"attributes": {"a": "b"}, **given}).encode()
    direct = {"conversationId": CONVERSATION, "participantId": PARTICIPANT, "attributes": {"a": "b"}, **given}

    assert update_from_http(CONVERSATION, PARTICIPANT, body, LIMITS).queue_if_unavailable is expected
    assert update_from_event(direct, LIMITS).queue_if_unavailable is expected


@pytest.mark.parametrize("value", ["false", 0, 1, "no", [], {}])
def test_a_queue_opt_out_that_is_not_a_boolean_is_refused(value: object) -> None:
    body = json.dumps({"attributes": {"a": "b"}, "queueIfUnavailable": value}).encode()

    with pytest.raises(InvalidRequest, match="queueIfUnavailable must be true or false"):
        update_from_http(CONVERSATION, PARTICIPANT, body, LIMITS)
