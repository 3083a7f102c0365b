"""The request side of the outbox (logic/outbox_routing.py through set_attributes), with fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from participant_data.deadline import Deadline
from participant_data.errors import (
    ConfigurationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServiceError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.logic.set_attributes import set_attributes
from participant_data.models import CUSTOMER_ALIAS, AttributeUpdate, UpdateResult
from participant_data.observability import MetricName, metrics
from participant_data.outbox.aws import OutboxUnavailable
from participant_data.outbox.messages import participant_group
from tests.events import CONVERSATION, PARTICIPANT
from tests.unit.fakes import FakeGenesys, FakeOutbox

GROUP = participant_group(CONVERSATION, PARTICIPANT)
REQUEST_ID = "7f0c9a52-request"
RETRYABLE = [
    RateLimited("Genesys is rate-limiting.", retry_after=30),
    UpstreamUnavailable("Genesys is failing."),
    UpstreamTimeout("Genesys did not answer in time."),
]
NEVER_QUEUED = [
    InvalidRequest("Genesys refused the values.", code="genesys_rejected_input"),
    NotFound("No such participant."),
    UpstreamRejected("The role lacks a permission.", code="genesys_forbidden"),
    ConfigurationError("The secret is malformed."),
]


@pytest.fixture(autouse=True)
def _empty_metric_set() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def counted(name: MetricName) -> float:
    value = metrics.serialize_metric_set().get(name, []) if metrics.metric_set else []
    return float(sum(value if isinstance(value, list) else [value]))


def update(participant: str = PARTICIPANT, *, queue_if_unavailable: bool = True) -> AttributeUpdate:
    return AttributeUpdate(
        CONVERSATION, participant, {"tier": "gold", "ivr": "billing"}, queue_if_unavailable
    )


def run(
    request: AttributeUpdate, genesys: FakeGenesys, outbox: FakeOutbox | None, budget: float = 5.0
) -> UpdateResult:
    return set_attributes(
        request,
        Deadline(budget),
        genesys,
        CustomerParticipantCache(10),
        outbox=outbox,
        request_id=REQUEST_ID,
    )


def test_a_write_genesys_takes_reads_the_mark_and_leaves_the_reserve() -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox(reserve_seconds=1.5)

    result = run(update(), genesys, outbox, budget=5.0)

    assert result.queued is False
    assert outbox.marks.reads == [GROUP]
    assert outbox.queue.sent == []
    assert len(genesys.patches) == 1
    assert 3.0 < genesys.deadlines[0] <= 3.5  # the budget less the reserve
    assert counted(MetricName.OUTBOX_WRITES_QUEUED) == 0


@pytest.mark.parametrize("failure", RETRYABLE, ids=lambda failure: failure.code)
def test_a_write_genesys_cannot_take_in_time_is_marked_queued_and_answered_queued(
    failure: ServiceError,
) -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    genesys.error = failure

    result = run(update(), genesys, outbox)

    assert result == UpdateResult(CONVERSATION, PARTICIPANT, ("tier", "ivr"), queued=True)
    assert outbox.marks.marks == {GROUP: REQUEST_ID}
    [queued] = outbox.queue.sent
    assert (queued.conversation_id, queued.participant_id) == (CONVERSATION, PARTICIPANT)
    assert dict(queued.attributes) == {"tier": "gold", "ivr": "billing"}
    assert queued.request_id == REQUEST_ID
    assert queued.group == GROUP
    assert counted(MetricName.OUTBOX_WRITES_QUEUED) == 1
    assert counted(MetricName.SERVICE_FAULTS) == 1  # a queued write pages and rolls back like a fault


@pytest.mark.parametrize("failure", NEVER_QUEUED, ids=lambda failure: failure.code)
def test_input_permission_and_configuration_failures_are_never_queued(failure: ServiceError) -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    genesys.error = failure

    with pytest.raises(type(failure)) as raised:
        run(update(), genesys, outbox)

    assert raised.value is failure
    assert outbox.queue.sent == []
    assert outbox.marks.marks == {}


def test_a_write_for_a_participant_with_queued_writes_is_queued_behind_them_without_genesys() -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    outbox.marks.marks[GROUP] = "an-earlier-request"

    result = run(update(), genesys, outbox)

    assert result.queued is True
    assert genesys.patches == []
    assert [write.request_id for write in outbox.queue.sent] == [REQUEST_ID]
    assert outbox.marks.marks == {GROUP: REQUEST_ID}  # the newest queued write, for the worker's clear


def test_an_unreadable_mark_sends_the_write_to_genesys_and_is_counted() -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    outbox.marks.read_error = OutboxUnavailable("dynamodb:timeout")

    result = run(update(), genesys, outbox)

    assert result.queued is False
    assert len(genesys.patches) == 1
    assert counted(MetricName.OUTBOX_MARK_READ_FAILURES) == 1


@pytest.mark.parametrize("failing", ["mark", "send"])
def test_when_the_outbox_cannot_store_the_write_the_caller_gets_the_original_failure(failing: str) -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    genesys.error = UpstreamUnavailable("Genesys is failing.")
    if failing == "mark":
        outbox.marks.mark_error = OutboxUnavailable("dynamodb:AccessDeniedException")
    else:
        outbox.queue.error = OutboxUnavailable("sqs:timeout")

    with pytest.raises(UpstreamUnavailable) as raised:
        run(update(), genesys, outbox)

    assert raised.value is genesys.error
    assert outbox.queue.sent == []
    assert counted(MetricName.OUTBOX_STORE_FAILURES) == 1
    assert counted(MetricName.OUTBOX_WRITES_QUEUED) == 0


@pytest.mark.parametrize("failing", ["mark", "send"])
def test_a_write_behind_queued_ones_that_the_outbox_cannot_take_is_written_to_genesys_now(
    failing: str,
) -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    outbox.marks.marks[GROUP] = "an-earlier-request"
    if failing == "mark":
        outbox.marks.mark_error = OutboxUnavailable("dynamodb:timeout")
    else:
        outbox.queue.error = OutboxUnavailable("sqs:timeout")

    result = run(update(), genesys, outbox)

    assert result.queued is False
    assert len(genesys.patches) == 1  # as without an outbox, rather than a new way to fail
    assert counted(MetricName.OUTBOX_STORE_FAILURES) == 1


def test_a_write_behind_queued_ones_that_neither_the_outbox_nor_genesys_take_gets_genesys_failure() -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    outbox.marks.marks[GROUP] = "an-earlier-request"
    outbox.queue.error = OutboxUnavailable("sqs:timeout")
    genesys.error = UpstreamTimeout("Genesys did not answer in time.")

    with pytest.raises(UpstreamTimeout):
        run(update(), genesys, outbox)

    assert len(genesys.patches) == 1
    assert counted(MetricName.OUTBOX_WRITES_QUEUED) == 0


def test_an_opted_out_write_never_reads_the_mark_nor_queues() -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    outbox.marks.marks[GROUP] = "an-earlier-request"
    genesys.error = UpstreamUnavailable("Genesys is failing.")

    with pytest.raises(UpstreamUnavailable):
        run(update(queue_if_unavailable=False), genesys, outbox)

    assert outbox.marks.reads == []
    assert outbox.queue.sent == []
    assert len(genesys.patches) == 1  # written now (or failed now), even behind queued writes
    assert genesys.deadlines[0] > 4.0  # the whole budget: nothing reserved for an outbox it will not use


def test_a_queued_customer_alias_stays_as_named_until_applied() -> None:
    genesys, outbox = FakeGenesys(customers={CONVERSATION: PARTICIPANT}), FakeOutbox()
    genesys.error = UpstreamTimeout("Genesys did not answer in time.")

    result = run(update(CUSTOMER_ALIAS), genesys, outbox)

    assert result.participant_id == CUSTOMER_ALIAS
    assert result.to_dict()["participantId"] == CUSTOMER_ALIAS
    assert outbox.queue.sent[0].participant_id == CUSTOMER_ALIAS
    assert outbox.marks.marks == {participant_group(CONVERSATION, CUSTOMER_ALIAS): REQUEST_ID}


def test_without_an_outbox_a_retryable_failure_is_the_answer() -> None:
    genesys = FakeGenesys()
    genesys.error = UpstreamUnavailable("Genesys is failing.")

    with pytest.raises(UpstreamUnavailable):
        run(update(), genesys, None)

    assert genesys.deadlines[0] > 4.0  # no reserve kept back


@pytest.mark.parametrize("log_values", [False, True])
def test_the_queued_log_line_names_keys_and_shows_values_only_when_allowed(
    caplog: pytest.LogCaptureFixture, log_values: bool
) -> None:
    genesys, outbox = FakeGenesys(), FakeOutbox()
    genesys.error = RateLimited("Genesys is rate-limiting.")

    set_attributes(
        update(),
        Deadline(5),
        genesys,
        CustomerParticipantCache(10),
        log_values,
        outbox=outbox,
        request_id=REQUEST_ID,
    )

    [line] = [record for record in caplog.records if "queued" in record.getMessage()]
    assert line.__dict__["keys"] == ["tier", "ivr"]
    assert line.__dict__["queued_because"] == "genesys_rate_limited"
    assert ("gold" in str(line.__dict__.get("attributes"))) is log_values
