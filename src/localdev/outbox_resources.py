"""The outbox's AWS resources in moto_server: the FIFO queue (with its dead-letter queue) and the
pending-mark table, shaped as template.yaml declares them, for the demo and the tests.

moto serves SQS and DynamoDB at the one endpoint; the service finds them through AWS_ENDPOINT_URL_SQS and
AWS_ENDPOINT_URL_DYNAMODB (`environment()`). moto never expires items by TTL
(docs/genesys-facts.md#moto-sqs-dynamodb): the service treats an item past its `expiresAt` as absent, so
tests do not depend on that.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from localdev.moto_server import aws_client

# The local queue's redrive: after this many receives a message goes to the dead-letter queue. Lower than the
# template's 1000 so that tests and the demo can reach the dead-letter queue in a few receives;
# tests/integration/test_outbox_as_deployed.py builds the queues exactly as template.yaml declares them.
MAX_RECEIVE_COUNT = 10


@dataclass(frozen=True)
class OutboxResources:
    """One outbox: its queue, dead-letter queue and table, at `endpoint_url`."""

    endpoint_url: str
    queue_url: str
    dead_letter_queue_url: str
    table_name: str

    def environment(self) -> dict[str, str]:
        """What the service (both entry points) is told: the outbox's names and where AWS is."""
        return {
            "OUTBOX_QUEUE_URL": self.queue_url,
            "OUTBOX_TABLE_NAME": self.table_name,
            "AWS_ENDPOINT_URL_SQS": self.endpoint_url,
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint_url,
        }

    def sqs(self) -> Any:
        return aws_client("sqs", self.endpoint_url)

    def dynamodb(self) -> Any:
        return aws_client("dynamodb", self.endpoint_url)

    def receive(self, queue_url: str | None = None, wait_seconds: int = 0) -> list[dict[str, Any]]:
        """Up to 10 messages of the queue (with their attributes), left in flight for the visibility
        timeout: read them, do not expect to receive them again at once."""
        answer = self.sqs().receive_message(
            QueueUrl=queue_url or self.queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            WaitTimeSeconds=wait_seconds,
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def pending_mark(self, group: str) -> dict[str, Any] | None:
        """The table's item for a participant group, as DynamoDB returns it (None: no mark)."""
        item: dict[str, Any] | None = (
            self.dynamodb()
            .get_item(TableName=self.table_name, Key={"pk": {"S": group}}, ConsistentRead=True)
            .get("Item")
        )
        return item

    def delete(self) -> None:
        sqs = self.sqs()
        for url in (self.queue_url, self.dead_letter_queue_url):
            sqs.delete_queue(QueueUrl=url)
        self.dynamodb().delete_table(TableName=self.table_name)


def create_outbox(
    endpoint_url: str, name: str | None = None, visibility_timeout: int = 30
) -> OutboxResources:
    """Create a fresh outbox (names made unique unless given): the FIFO queue with explicit deduplication
    ids (ContentBasedDeduplication off), its FIFO dead-letter queue, and the table keyed by `pk` with TTL
    on `expiresAt`."""
    name = name or f"outbox-{uuid.uuid4().hex[:12]}"
    sqs = aws_client("sqs", endpoint_url)
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    dead_letter_url = sqs.create_queue(QueueName=f"{name}-dlq.fifo", Attributes=fifo)["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
    queue_url = sqs.create_queue(
        QueueName=f"{name}.fifo",
        Attributes={
            **fifo,
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    dynamodb = aws_client("dynamodb", endpoint_url)
    table_name = f"{name}-pending"
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    return OutboxResources(endpoint_url, queue_url, dead_letter_url, table_name)
