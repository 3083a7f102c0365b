"""The outbox queue (SQS FIFO): one message per queued write, in its participant's message group.

The group keeps one participant's writes in order; the deduplication id is the request id of the
invocation that queued the write, so a retried send within SQS's five-minute deduplication interval is
stored once, while a later write with the same content is a new message
(docs/genesys-facts.md#sqs-fifo).
"""

from __future__ import annotations

from participant_data.deadline import Deadline
from participant_data.observability import tracer
from participant_data.outbox.aws import DeadlineBoundClient
from participant_data.outbox.messages import QueuedWrite


class OutboxQueue:
    def __init__(self, queue_url: str, client: DeadlineBoundClient) -> None:
        self.queue_url = queue_url
        self._client = client

    @tracer.capture_method(capture_response=False)
    def send(self, write: QueuedWrite, deadline: Deadline) -> None:
        """Store the write; raises OutboxUnavailable if SQS does not take it within the deadline."""
        self._client.call(
            deadline,
            lambda sqs: sqs.send_message(
                QueueUrl=self.queue_url,
                MessageBody=write.to_json(),
                MessageGroupId=write.group,
                MessageDeduplicationId=write.request_id,
            ),
        )

    def forget(self) -> None:
        self._client.forget()
