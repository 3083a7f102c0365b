"""When the outbox worker's failed messages come back: ChangeMessageVisibility on the outbox queue.

A message the worker reports failed becomes visible again when its visibility timeout runs out, which the
template sets long (at least six times the worker's timeout). When Genesys said how long to wait (a 429's
Retry-After), the worker shortens it to that wait instead. SQS returns no message of a FIFO group while one
of the group is in flight (docs/genesys-facts.md#sqs-fifo-group-in-flight), so every failed message of the
group gets the same wait, or the first would come back alone and still be held behind the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from participant_data.deadline import Deadline
from participant_data.observability import logger, tracer
from participant_data.outbox.aws import DeadlineBoundClient

# SQS takes at most 10 entries per ChangeMessageVisibilityBatch (and Lambda's FIFO batches hold at most 10).
MAX_BATCH_ENTRIES = 10


class MessageVisibility:
    def __init__(self, queue_url: str, client: DeadlineBoundClient) -> None:
        self.queue_url = queue_url
        self._client = client

    @tracer.capture_method(capture_response=False)
    def delay(self, receipt_handles: Sequence[str], seconds: int, deadline: Deadline) -> int:
        """Make these received messages visible again in `seconds`; returns how many SQS accepted.
        Raises OutboxUnavailable when SQS cannot be reached (the messages then keep the queue's timeout)."""
        accepted = 0
        for start in range(0, len(receipt_handles), MAX_BATCH_ENTRIES):
            chunk = receipt_handles[start : start + MAX_BATCH_ENTRIES]
            entries = [
                {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": seconds}
                for index, handle in enumerate(chunk)
            ]
            answer = self._client.call(deadline, self._request(entries))
            accepted += len(answer.get("Successful", []))
            for failed in answer.get("Failed", []):
                logger.warning(
                    "SQS did not change a message's visibility", extra={"sqs_error": failed.get("Code")}
                )
        return accepted

    def _request(self, entries: list[dict[str, object]]) -> Callable[[Any], dict[str, Any]]:
        def change(sqs: Any) -> dict[str, Any]:
            answer: dict[str, Any] = sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url, Entries=entries
            )
            return answer

        return change

    def forget(self) -> None:
        self._client.forget()
