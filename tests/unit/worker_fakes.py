"""In-process stand-ins for the outbox worker's unit tests: Genesys, the pending marks, the queue's
visibility, and SQS records shaped as Lambda delivers them."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from typing import Any

from participant_data.deadline import Deadline
from participant_data.genesys.write_target import WriteTarget
from participant_data.outbox.messages import QueuedWrite

_ids = itertools.count(1)


class FakeWorkerGenesys:
    """Answers `write_target` from a table (default: live, the participant as named, or `customer_id` for
    the alias); `set_attributes` records each PATCH and raises the next of `errors` if any."""

    def __init__(self, customer_id: str = "c0ffee00-0000-4000-8000-000000000001") -> None:
        self.customer_id = customer_id
        self.targets: dict[str, WriteTarget] = {}
        self.target_errors: list[Exception] = []
        self.errors: list[Exception | None] = []
        self.reads: list[tuple[str, str]] = []
        self.patches: list[tuple[str, str, dict[str, str]]] = []

    def write_target(self, conversation_id: str, participant_id: str, deadline: Deadline) -> WriteTarget:
        self.reads.append((conversation_id, participant_id))
        if self.target_errors:
            raise self.target_errors.pop(0)
        if conversation_id in self.targets:
            return self.targets[conversation_id]
        return WriteTarget(False, self.customer_id if participant_id == "customer" else participant_id)

    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None:
        self.patches.append((conversation_id, participant_id, dict(attributes)))
        if self.errors:
            error = self.errors.pop(0)
            if error is not None:
                raise error


class FakeMarks:
    """Pending marks: group -> the newest queued write's request id."""

    def __init__(self, marks: Mapping[str, str] | None = None) -> None:
        self.marks = dict(marks or {})
        self.clears: list[tuple[str, str]] = []
        self.error: Exception | None = None

    def clear_if_last(self, group: str, request_id: str, deadline: Deadline | None = None) -> bool:
        self.clears.append((group, request_id))
        if self.error is not None:
            raise self.error
        if self.marks.get(group) != request_id:
            return False
        del self.marks[group]
        return True


class FakeVisibility:
    def __init__(self) -> None:
        self.delays: list[tuple[list[str], int]] = []

    def delay(self, receipt_handles: Sequence[str], seconds: int, deadline: Deadline) -> int:
        self.delays.append((list(receipt_handles), seconds))
        return len(receipt_handles)


def queued(
    conversation_id: str,
    participant_id: str,
    attributes: Mapping[str, str],
    *,
    age_seconds: float = 1.0,
    request_id: str | None = None,
) -> QueuedWrite:
    return QueuedWrite(
        conversation_id,
        participant_id,
        dict(attributes),
        time.time() - age_seconds,
        request_id or f"request-{next(_ids)}",
    )


def record(write: QueuedWrite | None, body: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    """An SQS record as Lambda delivers it; `body` replaces the write's (a malformed message)."""
    number = next(_ids)
    attributes = {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "1"}
    if write is not None:
        attributes["MessageGroupId"] = write.group
        attributes["MessageDeduplicationId"] = write.request_id
    return {
        "messageId": f"message-{number}",
        "receiptHandle": f"receipt-{number}",
        "body": body if body is not None else (write.to_json() if write is not None else ""),
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:outbox.fifo",
        "awsRegion": "us-east-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def failed_ids(response: Mapping[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]
