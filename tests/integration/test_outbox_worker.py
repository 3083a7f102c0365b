"""The outbox worker over real HTTP: writes queued by the real handler during a Genesys outage (emulator
faults) sit in a FIFO queue and a table in moto_server; they are received from the queue and handed to
`app.queue_worker` as Lambda's SQS event source does (localdev.queue_events), which applies them to the
emulator's participant.

moto's FIFO queue holds a group while one of its messages is in flight, as SQS does
(docs/genesys-facts.md#moto-sqs-fifo); the tests below check that where they rely on it.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

import app
from genesys_emulator import Fault
from localdev.outbox_resources import OutboxResources
from localdev.queue_events import Delivery, backlog, deliver_batch
from participant_data.observability import DROP_REASON_DIMENSION, MetricName
from tests.events import CONVERSATION, PARTICIPANT
from tests.integration.conftest import AGENT, LocalStack
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values

# More 503s than any budget's retries use: Genesys is down until the faults are cleared.
OUTAGE = Fault(status=503, count=1000, method="PATCH")
CUSTOMER_GROUP = f"{CONVERSATION}:customer"


@pytest.fixture
def outbox(stack: LocalStack, outbox_resources: OutboxResources) -> OutboxResources:
    """The service with an outbox, and a short budget so that an outage answers `queued` quickly."""
    stack.configure(**outbox_resources.environment(), REQUEST_BUDGET_SECONDS="3")
    return outbox_resources


def write(
    stack: LocalStack, participant: str = "customer", conversation: str = CONVERSATION, **values: str
) -> Any:
    """A data action's direct invocation setting `values`; its answer."""
    return stack.invoke({"conversationId": conversation, "participantId": participant, "attributes": values})


def queue_during_outage(stack: LocalStack, *writes: dict[str, str]) -> None:
    """Genesys fails: each write is answered `queued`. Genesys then recovers."""
    stack.emulator.inject_fault(OUTAGE)
    for values in writes:
        assert write(stack, **values)["queued"] is True
    stack.emulator.clear_faults()
    stack.emulator.clear_requests()


def deliver(outbox: OutboxResources, messages: list[dict[str, Any]] | None = None) -> Delivery:
    delivery = deliver_batch(outbox, app.queue_worker, messages=messages)
    assert delivery is not None, "the queue had nothing to deliver"
    return delivery


def test_writes_queued_during_an_outage_are_applied_in_order_once_genesys_is_back(
    stack: LocalStack, outbox: OutboxResources, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_during_outage(
        stack, {"customer_tier": "gold", "ivr_choice": "billing"}, {"customer_tier": "platinum"}
    )
    assert stack.attributes() == {"existing": "kept"}
    assert outbox.pending_mark(CUSTOMER_GROUP) is not None
    capsys.readouterr()

    delivery = deliver(outbox)

    assert (delivery.size, delivery.failed) == (2, ())
    assert stack.attributes() == {"existing": "kept", "customer_tier": "platinum", "ivr_choice": "billing"}
    assert stack.patches() == 1  # the two writes, merged: the same result as one after the other
    assert stack.requests("GET", f"/api/v2/conversations/{CONVERSATION}") == 1  # ended? who is customer?
    assert outbox.pending_mark(CUSTOMER_GROUP) is None  # later writes go straight to Genesys again
    assert backlog(outbox) == (0, 0)
    assert metric_values(emf_documents(capsys), MetricName.OUTBOX_WRITES_APPLIED) == [2.0]


def test_a_write_queued_behind_one_in_flight_is_applied_after_it(
    stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_during_outage(stack, {"customer_tier": "gold"})
    in_flight = outbox.receive()  # the worker has the first write
    assert len(in_flight) == 1

    # Meanwhile the flow writes again: the participant has a queued write, so this one queues behind it.
    later = write(stack, customer_tier="platinum")
    assert later["queued"] is True
    assert stack.patches() == 0
    assert outbox.receive() == []  # its group is held while the first is in flight (FIFO, moto too)

    deliver(outbox, messages=in_flight)
    assert stack.attributes()["customer_tier"] == "gold"
    mark = outbox.pending_mark(CUSTOMER_GROUP)
    assert mark is not None  # the later write's mark: not cleared by the first write's worker
    deliver(outbox)

    assert stack.attributes()["customer_tier"] == "platinum"
    assert outbox.pending_mark(CUSTOMER_GROUP) is None
    assert write(stack, customer_tier="diamond")["queued"] is False  # no mark: written now
    assert stack.attributes()["customer_tier"] == "diamond"


def test_a_write_for_a_conversation_that_ended_is_dropped_naming_its_keys_only(
    stack: LocalStack,
    outbox: OutboxResources,
    capsys: pytest.CaptureFixture[str],
    captured_logs: io.StringIO,
) -> None:
    queue_during_outage(stack, {"card_hint": "value-never-logged"})
    stack.emulator.end_participant(CONVERSATION, PARTICIPANT)
    stack.emulator.end_participant(CONVERSATION, AGENT)
    capsys.readouterr()

    delivery = deliver(outbox)

    assert delivery.failed == ()  # dropped, not retried
    assert stack.patches() == 0
    assert stack.attributes() == {"existing": "kept"}
    assert outbox.pending_mark(CUSTOMER_GROUP) is None
    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.OUTBOX_WRITES_DROPPED) == [1.0]
    by_reason = {DROP_REASON_DIMENSION: "conversation_ended"}
    assert metric_values(documents, MetricName.OUTBOX_WRITES_DROPPED, **by_reason) == [1.0]
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    [dropped] = [line for line in lines if line["message"] == "Queued writes dropped"]
    assert (dropped["keys"], dropped["drop_reason"]) == (["card_hint"], "conversation_ended")
    assert "value-never-logged" not in captured_logs.getvalue()


def test_customer_is_resolved_when_the_write_is_applied_so_it_follows_a_transfer(
    stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_during_outage(stack, {"customer_tier": "gold"})
    # Meanwhile the caller is transferred: a new customer participant joins, the first one leaves.
    new_customer = str(uuid.uuid4())
    stack.emulator.add_participant(CONVERSATION, {"id": new_customer, "purpose": "customer"})
    stack.emulator.end_participant(CONVERSATION, PARTICIPANT)

    delivery = deliver(outbox)

    assert delivery.failed == ()
    assert stack.attributes(new_customer) == {"customer_tier": "gold"}
    assert stack.attributes() == {"existing": "kept"}


def test_a_write_older_than_the_maximum_age_is_dropped_as_expired(
    stack: LocalStack, outbox: OutboxResources, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.configure(OUTBOX_MAX_AGE_SECONDS="1")
    queue_during_outage(stack, {"customer_tier": "gold"})
    time.sleep(1.5)  # the write outlives the maximum age
    capsys.readouterr()

    delivery = deliver(outbox)

    assert delivery.failed == ()
    assert stack.patches() == 0
    assert stack.requests() == 0  # not even a read: nothing is asked of Genesys for an expired write
    assert metric_values(emf_documents(capsys), MetricName.OUTBOX_WRITES_EXPIRED) == [1.0]
    assert outbox.pending_mark(CUSTOMER_GROUP) is None


def test_a_message_delivered_twice_gives_one_result_and_keeps_a_newer_writes_mark(
    stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_during_outage(stack, {"customer_tier": "gold"})
    [message] = outbox.receive()
    deliver(outbox, messages=[message])
    assert stack.attributes()["customer_tier"] == "gold"
    queue_during_outage(stack, {"ivr_choice": "billing"})  # a newer write, marked
    newer_mark = outbox.pending_mark(CUSTOMER_GROUP)

    # The first message again, as SQS hands back a message whose deletion was lost.
    again = deliver(outbox, messages=[message])

    assert again.failed == ()
    assert stack.attributes() == {"existing": "kept", "customer_tier": "gold"}  # the same result
    assert outbox.pending_mark(CUSTOMER_GROUP) == newer_mark  # the newer write still holds its place
    deliver(outbox)
    assert stack.attributes() == {"existing": "kept", "customer_tier": "gold", "ivr_choice": "billing"}
    assert outbox.pending_mark(CUSTOMER_GROUP) is None


def test_a_group_that_fails_does_not_hold_up_another(stack: LocalStack, outbox: OutboxResources) -> None:
    other = str(uuid.uuid4())
    stack.emulator.create_conversation([{"id": PARTICIPANT, "purpose": "customer"}], conversation_id=other)
    stack.emulator.inject_fault(OUTAGE)
    assert write(stack, customer_tier="gold")["queued"] is True
    assert write(stack, conversation=other, customer_tier="silver")["queued"] is True
    stack.emulator.clear_faults()
    # Genesys still fails for the first conversation only.
    stack.emulator.inject_fault(
        Fault(status=503, count=1000, path_prefix=f"/api/v2/conversations/{CONVERSATION}")
    )

    delivery = deliver(outbox)

    assert delivery.size == 2
    assert len(delivery.failed) == 1
    assert stack.emulator.participant_attributes(other, PARTICIPANT) == {"customer_tier": "silver"}
    assert stack.attributes() == {"existing": "kept"}
    assert outbox.pending_mark(CUSTOMER_GROUP) is not None
    assert outbox.pending_mark(f"{other}:customer") is None
    assert backlog(outbox) == (0, 1)  # the failed write waits in flight for its visibility timeout

    stack.emulator.clear_faults()
    outbox.sqs().change_message_visibility(  # its visibility timeout ends (shortened: the test's time)
        QueueUrl=outbox.queue_url, ReceiptHandle=_receipt(delivery, delivery.failed[0]), VisibilityTimeout=0
    )
    retried = deliver(outbox)
    assert retried.failed == ()
    assert stack.attributes()["customer_tier"] == "gold"


def test_a_429_brings_the_write_back_after_its_retry_after_not_the_queue_timeout(
    stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_during_outage(stack, {"customer_tier": "gold"})
    # Longer than the 3 s budget: the worker does not wait it out, it hands the wait to the queue.
    stack.emulator.inject_fault(
        Fault(status=429, retry_after=4, count=1, path_prefix="/api/v2/conversations")
    )

    with pytest.raises(BatchProcessingError):  # its only message failed: the invocation fails
        deliver(outbox)

    assert outbox.receive() == []  # not back at once
    back = outbox.receive(wait_seconds=15)  # the queue's own visibility timeout is 30 s
    assert len(back) == 1
    assert back[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    deliver(outbox, messages=back)
    assert stack.attributes()["customer_tier"] == "gold"


def test_a_malformed_message_is_dropped_and_does_not_block_its_group(
    stack: LocalStack, outbox: OutboxResources, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox.sqs().send_message(
        QueueUrl=outbox.queue_url,
        MessageBody='{"version": 1, "conversationId": "not-a-uuid"}',
        MessageGroupId=CUSTOMER_GROUP,
        MessageDeduplicationId="malformed-1",
    )
    queue_during_outage(stack, {"customer_tier": "gold"})
    capsys.readouterr()

    delivery = deliver(outbox)

    assert (delivery.size, delivery.failed) == (2, ())
    assert stack.attributes()["customer_tier"] == "gold"
    dropped = {DROP_REASON_DIMENSION: "malformed"}
    assert metric_values(emf_documents(capsys), MetricName.OUTBOX_WRITES_DROPPED, **dropped) == [1.0]


def _receipt(delivery: Delivery, message_id: str) -> str:
    [handle] = [r["receiptHandle"] for r in delivery.event["Records"] if r["messageId"] == message_id]
    return str(handle)
