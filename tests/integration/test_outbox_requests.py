"""The request side of the outbox over real HTTP: the handler against the Genesys emulator, and boto3
against SQS and DynamoDB served by moto_server (a fresh FIFO queue and pending-mark table per test)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from genesys_emulator import Fault
from localdev.outbox_resources import OutboxResources
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.observability import MetricName
from participant_data.outbox.messages import QueuedWrite, participant_group
from tests.events import (
    CONVERSATION,
    PARTICIPANT,
    SAMPLE_ATTRIBUTES,
    api_event,
    event,
    response_body,
    sample_answer,
)
from tests.integration.conftest import LocalStack
from tests.integration.relay import Relay
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values

BUDGET_SECONDS = 5.0  # room for a cold container on a loaded machine: 3.5 s for Genesys, 1 s reserve
GROUP = participant_group(CONVERSATION, PARTICIPANT)
BEFORE = {"existing": "kept"}
OUTAGE = Fault(status=503, count=1000, method="PATCH")


@pytest.fixture
def outboxed(stack: LocalStack, outbox_resources: OutboxResources) -> Iterator[LocalStack]:
    """The service with an outbox in moto_server, a 5 s budget and the default 1 s reserve."""
    stack.configure(**outbox_resources.environment(), REQUEST_BUDGET_SECONDS=str(BUDGET_SECONDS))
    yield stack
    stack.emulator.clear_faults()


def queued_writes(outbox: OutboxResources) -> list[tuple[dict[str, str], QueuedWrite]]:
    """(SQS attributes, write) of the queue's messages, each received once (and left in flight)."""
    return [(message["Attributes"], QueuedWrite.from_json(message["Body"])) for message in outbox.receive()]


def mark_of(outbox: OutboxResources, group: str = GROUP) -> str | None:
    item = outbox.pending_mark(group)
    return None if item is None else str(item["lastRequestId"]["S"])


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(OUTAGE, id="5xx"),
        pytest.param(Fault(hang_seconds=30, count=10, method="PATCH"), id="hang"),
        pytest.param(Fault(status=429, count=1000, retry_after=60, method="PATCH"), id="429"),
    ],
)
def test_an_outage_longer_than_the_budget_is_answered_queued_within_it(
    outboxed: LocalStack, outbox_resources: OutboxResources, fault: Fault
) -> None:
    outboxed.emulator.inject_fault(fault)

    response = outboxed.invoke(api_event("rest"))

    assert response["statusCode"] == 200
    assert response_body(response) == sample_answer(queued=True)
    assert outboxed.last_duration < BUDGET_SECONDS
    [(attributes, write)] = queued_writes(outbox_resources)
    assert attributes["MessageGroupId"] == GROUP
    assert attributes["MessageDeduplicationId"] == write.request_id
    assert uuid.UUID(write.request_id)  # the invocation's Lambda request id
    assert (write.conversation_id, write.participant_id, dict(write.attributes)) == (
        CONVERSATION,
        PARTICIPANT,
        SAMPLE_ATTRIBUTES,
    )
    assert mark_of(outbox_resources) == write.request_id
    assert outboxed.attributes() == BEFORE  # not written, and not claimed to be


def test_a_direct_invocation_is_returned_queued_and_counted_as_a_fault(
    outboxed: LocalStack, outbox_resources: OutboxResources, capsys: pytest.CaptureFixture[str]
) -> None:
    outboxed.emulator.inject_fault(OUTAGE)

    result = outboxed.invoke(event("direct-invocation"))

    assert result["queued"] is True
    assert len(queued_writes(outbox_resources)) == 1
    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.OUTBOX_WRITES_QUEUED) == [1.0]
    assert metric_values(documents, MetricName.SERVICE_FAULTS) == [1.0]


def test_a_later_write_for_the_participant_is_queued_behind_the_first_while_it_is_marked(
    outboxed: LocalStack, outbox_resources: OutboxResources
) -> None:
    outboxed.emulator.inject_fault(OUTAGE)
    first = outboxed.invoke(api_event("rest", body={"attributes": {"customer_tier": "silver"}}))
    outboxed.emulator.clear_faults()  # Genesys is back, but the first write still waits in the queue
    patches_before = outboxed.patches()

    later = outboxed.invoke(api_event("rest", body={"attributes": {"customer_tier": "gold"}}))

    assert response_body(first)["queued"] is True
    assert response_body(later)["queued"] is True
    assert outboxed.patches() == patches_before  # not written past the queued one
    received = [write for _, write in queued_writes(outbox_resources)]  # one group: in the order sent
    assert [dict(write.attributes) for write in received] == [
        {"customer_tier": "silver"},
        {"customer_tier": "gold"},
    ]
    assert mark_of(outbox_resources) == received[1].request_id  # the newest: the worker clears after it
    assert outboxed.attributes() == BEFORE


def test_an_unavailable_queue_is_an_honest_failure_with_the_original_error(
    outboxed: LocalStack, outbox_resources: OutboxResources, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_queue = outbox_resources.queue_url.replace(".fifo", "-deleted.fifo")
    outboxed.configure(OUTBOX_QUEUE_URL=missing_queue)
    outboxed.emulator.inject_fault(OUTAGE)

    response = outboxed.invoke(api_event("rest"))

    assert response["statusCode"] == 503
    assert response_body(response)["code"] == "upstream_unavailable"
    assert "queued" not in response_body(response)
    assert outboxed.last_duration < BUDGET_SECONDS
    assert queued_writes(outbox_resources) == []
    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.OUTBOX_STORE_FAILURES) == [1.0]
    assert metric_values(documents, MetricName.OUTBOX_WRITES_QUEUED) == []


@pytest.mark.parametrize("failure", ["missing-table", "refused", "hang"])
def test_an_unreadable_mark_sends_the_write_straight_to_genesys(
    outboxed: LocalStack,
    outbox_resources: OutboxResources,
    capsys: pytest.CaptureFixture[str],
    failure: str,
) -> None:
    relay = Relay(outboxed.moto.port)
    try:
        if failure == "missing-table":
            outboxed.configure(OUTBOX_TABLE_NAME="no-such-table")
        else:
            outboxed.configure(AWS_ENDPOINT_URL_DYNAMODB=relay.url)
            relay.refuse() if failure == "refused" else relay.hang()

        response = outboxed.invoke(api_event("rest"))
    finally:
        relay.close()

    assert response["statusCode"] == 200
    assert response_body(response)["queued"] is False
    assert outboxed.attributes() == {**BEFORE, **SAMPLE_ATTRIBUTES}
    assert outboxed.last_duration < BUDGET_SECONDS
    assert metric_values(emf_documents(capsys), MetricName.OUTBOX_MARK_READ_FAILURES) == [1.0]


def test_an_opted_out_write_is_never_queued(outboxed: LocalStack, outbox_resources: OutboxResources) -> None:
    outboxed.emulator.inject_fault(OUTAGE)
    direct = event("direct-invocation") | {"queueIfUnavailable": False}

    response = outboxed.invoke(
        api_event("rest", body={"attributes": SAMPLE_ATTRIBUTES, "queueIfUnavailable": False})
    )
    with pytest.raises(DataActionFailed, match=r"^503 upstream_unavailable"):
        outboxed.invoke(direct)

    assert response["statusCode"] == 503
    assert queued_writes(outbox_resources) == []
    assert mark_of(outbox_resources) is None


@pytest.mark.parametrize(
    ("fault", "participant", "status", "code"),
    [
        pytest.param(None, str(uuid.uuid4()), 404, "not_found", id="404-no-such-participant"),
        pytest.param(Fault(status=400, method="PATCH"), PARTICIPANT, 400, "genesys_rejected_input", id="400"),
        pytest.param(
            Fault(status=403, count=5, method="PATCH"), PARTICIPANT, 502, "genesys_forbidden", id="403"
        ),
    ],
)
def test_the_callers_mistakes_and_permission_problems_are_never_queued(
    outboxed: LocalStack,
    outbox_resources: OutboxResources,
    fault: Fault | None,
    participant: str,
    status: int,
    code: str,
) -> None:
    if fault is not None:
        outboxed.emulator.inject_fault(fault)

    response = outboxed.invoke(api_event("rest", participant_id=participant))

    assert response["statusCode"] == status
    assert response_body(response)["code"] == code
    assert queued_writes(outbox_resources) == []
    assert mark_of(outbox_resources, participant_group(CONVERSATION, participant)) is None


def test_without_an_outbox_nothing_changes_and_aws_sees_no_call(
    stack: LocalStack, outbox_resources: OutboxResources
) -> None:
    """OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME unset: the endpoints lead to a relay that counts requests."""
    relay = Relay(stack.moto.port)
    try:
        stack.configure(AWS_ENDPOINT_URL_SQS=relay.url, AWS_ENDPOINT_URL_DYNAMODB=relay.url)
        written = stack.invoke(api_event("rest"))
        stack.emulator.inject_fault(OUTAGE)
        failed = stack.invoke(api_event("rest"))
    finally:
        relay.close()

    assert response_body(written) == sample_answer()
    assert failed["statusCode"] == 503
    assert relay.requests == 0
    assert stack.token_requests() == 1
    assert queued_writes(outbox_resources) == []


def sqs_event(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A Lambda SQS event of one received message, shaped as the event source mapping sends it."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message["Attributes"],
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
        ]
    }


def test_a_queue_batch_sent_to_the_request_entry_point_is_refused(
    outboxed: LocalStack, outbox_resources: OutboxResources
) -> None:
    outboxed.emulator.inject_fault(OUTAGE)
    outboxed.invoke(api_event("rest"))
    outboxed.emulator.clear_faults()
    [message] = outbox_resources.receive()
    arn = outbox_resources.sqs().get_queue_attributes(
        QueueUrl=outbox_resources.queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    patches_before = outboxed.patches()

    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: .*app\.queue_worker"):
        outboxed.invoke(sqs_event(message, arn))

    assert outboxed.patches() == patches_before
    assert outboxed.attributes() == BEFORE
    assert json.loads(message["Body"])["attributes"] == SAMPLE_ATTRIBUTES


def test_a_mark_past_its_expiry_no_longer_holds_writes_back(
    outboxed: LocalStack, outbox_resources: OutboxResources
) -> None:
    """DynamoDB deletes expired items only eventually (moto never): the service checks `expiresAt` itself."""
    outbox_resources.dynamodb().put_item(
        TableName=outbox_resources.table_name,
        Item={"pk": {"S": GROUP}, "lastRequestId": {"S": "a-lost-write"}, "expiresAt": {"N": "1700000000"}},
    )

    response = outboxed.invoke(api_event("rest"))

    assert response_body(response)["queued"] is False
    assert outboxed.attributes() == {**BEFORE, **SAMPLE_ATTRIBUTES}
