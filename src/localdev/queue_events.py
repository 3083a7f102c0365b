"""Deliver outbox messages to `app.queue_worker` as Lambda's SQS event source mapping does, without Lambda.

Lambda receives a batch (at most 10 messages of a FIFO queue), invokes the worker with one event whose
`Records` carry each message's id, receipt handle, body and system attributes, and then deletes the
messages the answer does not list in `batchItemFailures`; the listed ones come back when their visibility
timeout ends (docs/genesys-facts.md#lambda-sqs-fifo). `deliver_batch` plays that part against moto_server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import FAKE_AWS_ENVIRONMENT
from localdev.outbox_resources import OutboxResources

Worker = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class Delivery:
    """One batch delivered to the worker: the event it got, its answer, and what was deleted."""

    event: dict[str, Any]
    response: Any
    deleted: tuple[str, ...]  # message ids
    failed: tuple[str, ...]  # message ids reported in batchItemFailures

    @property
    def size(self) -> int:
        return len(self.event["Records"])


def sqs_event(messages: Sequence[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda builds from received messages (ReceiveMessage's `Messages`, with attributes)."""
    region = FAKE_AWS_ENVIRONMENT["AWS_DEFAULT_REGION"]
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes", {})),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def queue_arn(outbox: OutboxResources) -> str:
    attributes = outbox.sqs().get_queue_attributes(QueueUrl=outbox.queue_url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    return arn


def deliver_batch(
    outbox: OutboxResources,
    worker: Worker,
    wait_seconds: int = 0,
    messages: Sequence[dict[str, Any]] | None = None,
    timeout_seconds: float = 60.0,
) -> Delivery | None:
    """Receive a batch (or take `messages` already received), invoke `worker` with it, delete what the
    answer does not list as failed. None when the queue had nothing to deliver. An invocation that raises
    deletes nothing (as Lambda does), and the exception propagates."""
    if messages is None:
        messages = outbox.receive(wait_seconds=wait_seconds)
    if not messages:
        return None
    event = sqs_event(messages, queue_arn(outbox))
    response = worker(event, LocalLambdaContext(timeout_seconds=timeout_seconds))
    failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
    done = [message for message in messages if message["MessageId"] not in failed]
    if done:
        outbox.sqs().delete_message_batch(
            QueueUrl=outbox.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(done)
            ],
        )
    return Delivery(
        event,
        response,
        tuple(message["MessageId"] for message in done),
        tuple(message["MessageId"] for message in messages if message["MessageId"] in failed),
    )


def backlog(outbox: OutboxResources) -> tuple[int, int]:
    """(visible, in flight) messages of the outbox queue, as SQS approximates them."""
    attributes = outbox.sqs().get_queue_attributes(
        QueueUrl=outbox.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )
