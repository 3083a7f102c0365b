"""The queued-write message: its JSON shape, and refusing bodies the worker cannot apply."""

from __future__ import annotations

import json

import pytest

from participant_data.outbox.messages import MalformedWrite, QueuedWrite, participant_group
from tests.events import CONVERSATION, PARTICIPANT

WRITE = QueuedWrite(
    conversation_id=CONVERSATION,
    participant_id="customer",
    attributes={"tier": "gold", "note": "caf\u00e9 \ufffe"},
    enqueued_at=1_700_000_000.25,
    request_id="req-1",
)


def test_the_body_is_the_documented_version_1_document() -> None:
    assert json.loads(WRITE.to_json()) == {
        "version": 1,
        "conversationId": CONVERSATION,
        "participantId": "customer",
        "attributes": {"tier": "gold", "note": "caf\u00e9 \ufffe"},
        "enqueuedAt": 1_700_000_000.25,
        "requestId": "req-1",
    }


def test_the_body_is_ascii_so_sqs_takes_any_value_the_service_accepts() -> None:
    assert WRITE.to_json().isascii()


def test_a_body_reads_back_as_the_same_write() -> None:
    assert QueuedWrite.from_json(WRITE.to_json()) == WRITE


def test_the_group_is_the_participant_as_the_caller_named_it() -> None:
    assert WRITE.group == f"{CONVERSATION}:customer"
    assert participant_group(CONVERSATION, PARTICIPANT) == f"{CONVERSATION}:{PARTICIPANT}"


def _body(**changes: object) -> str:
    document = json.loads(WRITE.to_json())
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        _body(version=2),
        _body(conversationId="not-a-uuid"),
        _body(participantId=None),
        _body(attributes={}),
        _body(attributes={"tier": 1}),
        _body(attributes="tier=gold"),
        _body(enqueuedAt="yesterday"),
        _body(enqueuedAt=True),
        _body(requestId=""),
    ],
)
def test_a_body_that_is_not_a_version_1_write_is_malformed(body: str) -> None:
    with pytest.raises(MalformedWrite):
        QueuedWrite.from_json(body)


def test_a_malformed_body_is_refused_without_echoing_values() -> None:
    with pytest.raises(MalformedWrite) as raised:
        QueuedWrite.from_json(_body(attributes={"tier": ["secret-value"]}))

    assert "secret-value" not in str(raised.value)
