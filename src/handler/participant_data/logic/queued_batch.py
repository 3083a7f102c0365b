"""One batch of outbox messages as Lambda delivered it: each message's queued write, grouped by participant.

Lambda hands the worker at most 10 messages of a FIFO queue, in order within each message group (a
participant as the caller named it); the groups may be interleaved (docs/genesys-facts.md#lambda-sqs-fifo).
This module reads the batch once, so that the worker can look ahead within a group: to merge consecutive
writes into one PATCH, and to know which message is the group's last in the batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from participant_data.outbox.messages import MalformedWrite, QueuedWrite
from participant_data.settings import Limits


@dataclass(eq=False)
class QueuedMessage:
    """One SQS record of the batch and what the worker made of it so far."""

    message_id: str
    receipt_handle: str
    group: str
    # The message's deduplication id: the request id of the invocation that queued it.
    deduplication_id: str | None
    receive_count: int
    write: QueuedWrite | None  # None: the body is not a queued write
    malformed_reason: str | None = None
    # Applied or dropped (alone, or merged with an earlier message of its group): nothing left to do.
    settled: bool = field(default=False)

    @property
    def request_id(self) -> str | None:
        """The request id that queued it, from its body, else from its deduplication id."""
        return self.write.request_id if self.write is not None else self.deduplication_id


class QueuedBatch:
    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self._messages: dict[str, QueuedMessage] = {}
        self._groups: dict[str, list[QueuedMessage]] = {}
        for record in records:
            message = read_message(record)
            self._messages[message.message_id] = message
            self._groups.setdefault(message.group, []).append(message)

    def __len__(self) -> int:
        return len(self._messages)

    def message(self, message_id: str) -> QueuedMessage:
        return self._messages[message_id]

    def rest_of_group(self, message: QueuedMessage) -> list[QueuedMessage]:
        """This message and the later ones of its group not settled yet, in order."""
        group = self._groups[message.group]
        return [later for later in group[group.index(message) :] if not later.settled]

    def is_last_of_group(self, message: QueuedMessage) -> bool:
        return self._groups[message.group][-1] is message

    def mergeable_run(
        self, message: QueuedMessage, limits: Limits, is_expired: Callable[[QueuedWrite], bool]
    ) -> list[QueuedMessage]:
        """`message` and the consecutive later writes of its group that one PATCH can carry with the same
        result: per-key merge means applying {a: 1} then {a: 2, b: 3} leaves what {a: 2, b: 3} leaves
        (docs/genesys-facts.md#merge-vs-replace). The run stops at a message that is not a write to apply
        now (malformed, expired: each is handled in its turn) and before the merged write would exceed
        what one request may carry (MAX_ATTRIBUTES, MAX_BODY_BYTES)."""
        run = [message]
        merged = dict(message.write.attributes) if message.write is not None else {}
        for later in self.rest_of_group(message)[1:]:
            if later.write is None or is_expired(later.write):
                break
            candidate = {**merged, **later.write.attributes}
            if len(candidate) > limits.max_attributes or body_bytes(candidate) > limits.max_body_bytes:
                break
            run.append(later)
            merged = candidate
        return run


def merged_attributes(run: Iterable[QueuedMessage]) -> dict[str, str]:
    """The attributes of consecutive writes, later values winning."""
    merged: dict[str, str] = {}
    for message in run:
        if message.write is not None:
            merged.update(message.write.attributes)
    return merged


def body_bytes(attributes: Mapping[str, str]) -> int:
    """The size of the PATCH body that carries these attributes, as the request side counts a body."""
    return len(json.dumps({"attributes": attributes}, ensure_ascii=False).encode("utf-8"))


def read_message(record: Mapping[str, Any]) -> QueuedMessage:
    """A Lambda SQS record (`messageId`, `receiptHandle`, `body`, `attributes`) as a QueuedMessage."""
    attributes = record.get("attributes") or {}
    body = record.get("body")
    write: QueuedWrite | None = None
    reason: str | None = None
    try:
        write = QueuedWrite.from_json(body if isinstance(body, str) else "")
    except MalformedWrite as error:
        reason = str(error)
    message_id = str(record.get("messageId", ""))
    group = attributes.get("MessageGroupId") or (write.group if write is not None else message_id)
    try:
        receive_count = int(attributes.get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError):
        receive_count = 1
    return QueuedMessage(
        message_id=message_id,
        receipt_handle=str(record.get("receiptHandle", "")),
        group=str(group),
        deduplication_id=attributes.get("MessageDeduplicationId"),
        receive_count=receive_count,
        write=write,
        malformed_reason=reason,
    )
