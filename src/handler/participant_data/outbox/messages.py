"""The queued write: what the request side stores in the outbox queue and the worker applies.

The body is JSON (`version` 1) written ASCII-only: SQS refuses some Unicode code points in a message body
(U+FFFE, U+FFFF: docs/genesys-facts.md#sqs-fifo), which attribute values may carry; `\\uXXXX` escapes keep
every value intact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from participant_data.errors import InvalidRequest
from participant_data.validation import valid_conversation_id, valid_participant_id

MESSAGE_VERSION = 1


def participant_group(conversation_id: str, participant_id: str) -> str:
    """The SQS message group and the pending-mark key: one participant as the caller named it (a lower-case
    UUID or `customer`), so its writes are applied in the order they were queued."""
    return f"{conversation_id}:{participant_id}"


class MalformedWrite(ValueError):
    """A message body that is not a queued write this code can apply (the reason names no value)."""


@dataclass(frozen=True, slots=True)
class QueuedWrite:
    conversation_id: str
    participant_id: str  # as the caller named it: a UUID or "customer", resolved when applied
    attributes: Mapping[str, str]
    enqueued_at: float  # epoch seconds
    request_id: str  # the invocation that queued it: the message's deduplication id

    @property
    def group(self) -> str:
        return participant_group(self.conversation_id, self.participant_id)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": MESSAGE_VERSION,
                "conversationId": self.conversation_id,
                "participantId": self.participant_id,
                "attributes": dict(self.attributes),
                "enqueuedAt": self.enqueued_at,
                "requestId": self.request_id,
            },
            ensure_ascii=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, body: str) -> QueuedWrite:
        """Raises MalformedWrite for anything but a version-1 queued write with valid IDs."""
        try:
            document = json.loads(body)
        except (TypeError, ValueError):
            raise MalformedWrite("the body is not JSON") from None
        if not isinstance(document, dict):
            raise MalformedWrite("the body is not a JSON object")
        if document.get("version") != MESSAGE_VERSION:
            raise MalformedWrite(f"unknown version {document.get('version')!r}")
        try:
            return cls(
                conversation_id=valid_conversation_id(document.get("conversationId")),
                participant_id=valid_participant_id(document.get("participantId")),
                attributes=_attributes(document.get("attributes")),
                enqueued_at=_epoch_seconds(document.get("enqueuedAt")),
                request_id=_request_id(document.get("requestId")),
            )
        except InvalidRequest as error:
            raise MalformedWrite(error.message) from None


def _attributes(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise MalformedWrite("attributes is not a non-empty object")
    if not all(isinstance(key, str) and isinstance(item, str) for key, item in value.items()):
        raise MalformedWrite("attributes holds a key or value that is not a string")
    return value


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedWrite("enqueuedAt is not a number")
    return float(value)


def _request_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedWrite("requestId is not a non-empty string")
    return value
