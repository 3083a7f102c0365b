"""The outbox exactly as template.yaml declares it, created in moto_server over real HTTP: SQS and DynamoDB
accept the queues' and the table's properties, report them back, and the service's own data access
(both entry points' side of it) works against them. tests/template/test_outbox.py checks the template's
numbers; this checks that they are ones the services take, and that the code and the template agree on
the table's key and the queue's kind (moto's limits: docs/genesys-facts.md#moto-sqs-dynamodb)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer, aws_client
from participant_data.container import build_outbox
from participant_data.deadline import Deadline
from participant_data.outbox import Outbox
from participant_data.outbox.messages import QueuedWrite
from participant_data.settings import Settings
from tests.events import CONVERSATION, PARTICIPANT
from tests.template.cloudformation import deploy
from tests.template.sam import SECRET_ARN, source_template

# CloudFormation's AWS::SQS::Queue properties that are SQS queue attributes of the same name.
QUEUE_ATTRIBUTES = (
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
    "MessageRetentionPeriod",
    "VisibilityTimeout",
)
GROUP = f"{CONVERSATION}:{PARTICIPANT}"


def _declared(name: str) -> dict[str, Any]:
    deployment = deploy(source_template(), {"GenesysSecretArn": SECRET_ARN, "OutboxEnabled": "true"})
    properties: dict[str, Any] = deployment.resources[name]["Properties"]
    return properties


def _attributes(properties: dict[str, Any], dead_letter_arn: str | None = None) -> dict[str, str]:
    """The CreateQueue attributes of a queue's CloudFormation properties (SQS takes them as text)."""
    attributes = {
        key: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
        for key in QUEUE_ATTRIBUTES
        if key in properties
    }
    if "RedrivePolicy" in properties:
        redrive = {**properties["RedrivePolicy"], "deadLetterTargetArn": dead_letter_arn}
        attributes["RedrivePolicy"] = json.dumps(redrive)
    return attributes


@dataclass(frozen=True)
class DeployedOutbox:
    endpoint_url: str
    queue_url: str
    dead_letter_queue_url: str
    table_name: str


@pytest.fixture
def deployed(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeployedOutbox]:
    """The outbox's environment, its queues and table created from the template's declarations."""
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", moto_server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server.url)
    sqs, dynamodb = aws_client("sqs", moto_server.url), aws_client("dynamodb", moto_server.url)
    stack = f"stack-{uuid.uuid4().hex[:8]}"  # CloudFormation would name them per stack
    dead_letter_url = sqs.create_queue(
        QueueName=f"{stack}-OutboxDeadLetterQueue.fifo",
        Attributes=_attributes(_declared("OutboxDeadLetterQueue")),
    )["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=f"{stack}-OutboxQueue.fifo",
        Attributes=_attributes(_declared("OutboxQueue"), dead_letter_arn),
    )["QueueUrl"]
    table = _declared("OutboxPendingTable")
    table_name = f"{stack}-OutboxPendingTable"
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=table["KeySchema"],
        AttributeDefinitions=table["AttributeDefinitions"],
        BillingMode=table["BillingMode"],
        SSESpecification={"Enabled": table["SSESpecification"]["SSEEnabled"]},
    )
    ttl = table["TimeToLiveSpecification"]
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": ttl["Enabled"], "AttributeName": ttl["AttributeName"]},
    )
    yield DeployedOutbox(moto_server.url, queue_url, dead_letter_url, table_name)
    for url in (queue_url, dead_letter_url):
        sqs.delete_queue(QueueUrl=url)
    dynamodb.delete_table(TableName=table_name)


def _outbox(deployed: DeployedOutbox) -> Outbox:
    """The outbox the functions build from the environment template.yaml gives them."""
    deployment = deploy(source_template(), {"GenesysSecretArn": SECRET_ARN})
    environment = deployment.resources["ParticipantDataFunction"]["Properties"]["Environment"]["Variables"]
    settings = Settings.from_environment(
        {
            "GENESYS_SECRET_ID": SECRET_ARN,
            "OUTBOX_QUEUE_URL": deployed.queue_url,
            "OUTBOX_TABLE_NAME": deployed.table_name,
            "OUTBOX_MAX_AGE_SECONDS": str(environment["OUTBOX_MAX_AGE_SECONDS"]),
        }
    )
    built = build_outbox(settings)
    assert built is not None
    return built


def test_sqs_keeps_the_queues_as_declared(deployed: DeployedOutbox) -> None:
    sqs = aws_client("sqs", deployed.endpoint_url)
    declared = _declared("OutboxQueue")
    found = sqs.get_queue_attributes(QueueUrl=deployed.queue_url, AttributeNames=["All"])["Attributes"]
    assert found["FifoQueue"] == "true"
    assert found["ContentBasedDeduplication"] == "false"
    assert int(found["VisibilityTimeout"]) == declared["VisibilityTimeout"]
    assert int(found["MessageRetentionPeriod"]) == declared["MessageRetentionPeriod"]
    redrive = json.loads(found["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == declared["RedrivePolicy"]["maxReceiveCount"]
    dead_letters = sqs.get_queue_attributes(
        QueueUrl=deployed.dead_letter_queue_url, AttributeNames=["QueueArn", "FifoQueue"]
    )["Attributes"]
    assert redrive["deadLetterTargetArn"] == dead_letters["QueueArn"]
    assert dead_letters["FifoQueue"] == "true"


def test_the_service_queues_and_marks_a_write_in_the_outbox_as_deployed(deployed: DeployedOutbox) -> None:
    outbox = _outbox(deployed)
    write = QueuedWrite(CONVERSATION, PARTICIPANT, {"customer_tier": "gold"}, time.time(), "req-1")

    outbox.marks.mark(write.group, write.request_id, Deadline(5))
    outbox.queue.send(write, Deadline(5))

    assert outbox.marks.is_pending(GROUP, Deadline(5))
    messages = aws_client("sqs", deployed.endpoint_url).receive_message(
        QueueUrl=deployed.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    [message] = messages
    assert message["Attributes"]["MessageGroupId"] == GROUP
    assert QueuedWrite.from_json(message["Body"]) == write
    # The worker's side: the mark of the last applied write is cleared; a newer one's would stay.
    assert outbox.marks.clear_if_last(GROUP, "req-1")
    assert not outbox.marks.is_pending(GROUP, Deadline(5))
