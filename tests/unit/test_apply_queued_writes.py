"""The outbox worker's use case with Genesys, the marks and the queue faked in-process: order, merging,
drops, failures per group, Retry-After, marks (tests/integration/test_outbox_worker.py does it over HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from participant_data.deadline import Deadline
from participant_data.errors import (
    ConfigurationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from participant_data.genesys.write_target import WriteTarget
from participant_data.logic.apply_queued_writes import (
    MAX_RETRY_DELAY_SECONDS,
    MIN_RETRY_DELAY_SECONDS,
    WorkerPolicy,
    apply_queued_writes,
)
from participant_data.observability import DROP_REASON_DIMENSION, MetricName, metrics
from participant_data.outbox.aws import OutboxUnavailable
from participant_data.outbox.messages import QueuedWrite
from participant_data.settings import Limits
from tests.unit.worker_fakes import (
    FakeMarks,
    FakeVisibility,
    FakeWorkerGenesys,
    failed_ids,
    queued,
    record,
    sqs_event,
)

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
OTHER_CONVERSATION = "7d0e6c1b-2a3f-4e5d-8c9b-0a1b2c3d4e5f"
PARTICIPANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
MAX_AGE = 3600.0


@pytest.fixture(autouse=True)
def _empty_metric_set() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


class Worker:
    """The use case with fakes; `run` processes one event as one invocation."""

    def __init__(self, limits: Limits | None = None, log_values: bool = False) -> None:
        self.genesys = FakeWorkerGenesys()
        self.marks = FakeMarks()
        self.visibility = FakeVisibility()
        self.policy = WorkerPolicy(MAX_AGE, limits or Limits(), log_values)

    def run(self, *records: dict[str, Any]) -> list[str]:
        """The message ids reported failed."""
        response = apply_queued_writes(
            sqs_event(*records), self.genesys, self.marks, self.visibility, self.policy, lambda: Deadline(5)
        )
        return failed_ids(response)

    def mark(self, write: QueuedWrite) -> QueuedWrite:
        """Mark `write` as its group's newest queued write (as the request side does when queuing it)."""
        self.marks.marks[write.group] = write.request_id
        return write


def counted(name: MetricName) -> float:
    entry = metrics.metric_set.get(str(name))
    return float(sum(entry["Value"])) if entry else 0.0


def drop_reasons(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The DropReason of every OutboxWritesDropped line printed at once (one per dropped write)."""
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    return [line[DROP_REASON_DIMENSION] for line in lines if DROP_REASON_DIMENSION in line]


def test_consecutive_writes_of_a_participant_become_one_patch_later_values_winning() -> None:
    worker = Worker()
    first = queued(CONVERSATION, PARTICIPANT, {"tier": "gold", "lang": "fr"})
    second = worker.mark(queued(CONVERSATION, PARTICIPANT, {"tier": "platinum"}))

    assert worker.run(record(first), record(second)) == []

    assert worker.genesys.patches == [(CONVERSATION, PARTICIPANT, {"tier": "platinum", "lang": "fr"})]
    assert counted(MetricName.OUTBOX_WRITES_APPLIED) == 2
    assert worker.marks.clears == [(first.group, second.request_id)]
    assert worker.marks.marks == {}  # the mark is gone with the last queued write


def test_groups_are_applied_separately_and_customer_is_resolved_when_applied() -> None:
    worker = Worker()
    alias = queued(CONVERSATION, "customer", {"ivr_choice": "billing"})
    other = queued(OTHER_CONVERSATION, PARTICIPANT, {"ivr_choice": "sales"})

    assert worker.run(record(alias), record(other)) == []

    assert worker.genesys.reads == [(CONVERSATION, "customer"), (OTHER_CONVERSATION, PARTICIPANT)]
    assert worker.genesys.patches == [
        (CONVERSATION, worker.genesys.customer_id, {"ivr_choice": "billing"}),
        (OTHER_CONVERSATION, PARTICIPANT, {"ivr_choice": "sales"}),
    ]


def test_a_merge_stops_where_one_request_could_not_carry_it() -> None:
    worker = Worker(limits=Limits(max_attributes=2))
    writes = [queued(CONVERSATION, PARTICIPANT, {key: "1"}) for key in ("a", "b", "c")]

    assert worker.run(*(record(write) for write in writes)) == []

    assert [patch[2] for patch in worker.genesys.patches] == [{"a": "1", "b": "1"}, {"c": "1"}]


def test_an_expired_write_is_dropped_without_a_call_and_the_next_one_applied(
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = Worker()
    old = queued(CONVERSATION, PARTICIPANT, {"tier": "secret-old-value"}, age_seconds=MAX_AGE + 5)
    new = worker.mark(queued(CONVERSATION, PARTICIPANT, {"lang": "fr"}))

    assert worker.run(record(old), record(new)) == []

    assert counted(MetricName.OUTBOX_WRITES_EXPIRED) == 1
    assert worker.genesys.patches == [(CONVERSATION, PARTICIPANT, {"lang": "fr"})]
    [expired] = [r for r in caplog.records if r.getMessage() == "Queued write expired: dropped"]
    assert expired.__dict__["keys"] == ["tier"]
    assert "secret-old-value" not in caplog.text


@pytest.mark.parametrize(
    ("target", "participant", "reason"),
    [
        pytest.param(WriteTarget(True, PARTICIPANT), PARTICIPANT, "conversation_ended", id="ended"),
        pytest.param(WriteTarget(False, None), PARTICIPANT, "participant_gone", id="participant-gone"),
        pytest.param(WriteTarget(False, None), "customer", "customer_not_found", id="no-customer"),
    ],
)
def test_a_write_the_conversation_can_no_longer_take_is_dropped_and_its_mark_cleared(
    capsys: pytest.CaptureFixture[str], target: WriteTarget, participant: str, reason: str
) -> None:
    worker = Worker()
    worker.genesys.targets[CONVERSATION] = target
    first = queued(CONVERSATION, participant, {"tier": "gold"})
    last = worker.mark(queued(CONVERSATION, participant, {"lang": "fr"}))

    assert worker.run(record(first), record(last)) == []

    assert worker.genesys.patches == []
    assert len(worker.genesys.reads) == 1  # one read for the group's run
    assert counted(MetricName.OUTBOX_WRITES_DROPPED) == 2
    assert drop_reasons(capsys) == [reason, reason]
    assert worker.marks.marks == {}


def test_a_404_from_the_patch_drops_the_write_as_participant_gone(capsys: pytest.CaptureFixture[str]) -> None:
    worker = Worker()
    worker.genesys.errors = [NotFound("gone")]

    assert worker.run(record(queued(CONVERSATION, PARTICIPANT, {"tier": "gold"}))) == []

    assert drop_reasons(capsys) == ["participant_gone"]


def test_a_malformed_message_is_dropped_never_retried(capsys: pytest.CaptureFixture[str]) -> None:
    worker = Worker()
    good = queued(CONVERSATION, PARTICIPANT, {"tier": "gold"})

    assert worker.run(record(None, body='{"version": 99}'), record(good)) == []

    assert drop_reasons(capsys) == ["malformed"]
    assert worker.genesys.patches == [(CONVERSATION, PARTICIPANT, {"tier": "gold"})]


def test_a_write_genesys_refuses_as_input_is_retried_alone_then_dropped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    worker = Worker()
    first = queued(CONVERSATION, PARTICIPANT, {"a": "1"})
    second = queued(CONVERSATION, PARTICIPANT, {"b": "2"})
    rejected = InvalidRequest("refused", code="genesys_rejected_input")
    worker.genesys.errors = [rejected, rejected, None]  # merged: 400; first alone: 400; second: fine

    assert worker.run(record(first), record(second)) == []

    assert [patch[2] for patch in worker.genesys.patches] == [{"a": "1", "b": "2"}, {"a": "1"}, {"b": "2"}]
    assert drop_reasons(capsys) == ["rejected"]
    assert counted(MetricName.OUTBOX_WRITES_APPLIED) == 1


@pytest.mark.parametrize(
    "error",
    [
        UpstreamUnavailable("503"),
        UpstreamTimeout("timeout"),
        UpstreamRejected("403", code="genesys_forbidden"),
        ConfigurationError("the secret is invalid"),
    ],
    ids=["503", "timeout", "403", "misconfigured"],
)
def test_a_failure_fails_the_rest_of_its_group_only(error: Exception) -> None:
    worker = Worker()
    failing = [record(queued(CONVERSATION, PARTICIPANT, {"n": str(n)})) for n in (1, 2)]
    other = record(queued(OTHER_CONVERSATION, PARTICIPANT, {"n": "3"}))
    worker.genesys.errors = [error, None]  # the first group's PATCH fails, the other group's succeeds

    failed = worker.run(failing[0], other, failing[1])

    assert failed == [failing[0]["messageId"], failing[1]["messageId"]]
    assert worker.genesys.patches[-1] == (OTHER_CONVERSATION, PARTICIPANT, {"n": "3"})
    assert worker.visibility.delays == []  # no Retry-After: the queue's visibility timeout applies
    assert counted(MetricName.OUTBOX_WRITES_APPLIED) == 1
    assert worker.marks.clears == [(f"{OTHER_CONVERSATION}:{PARTICIPANT}", _request_id(other))]


def test_a_429_delays_its_group_by_retry_after_and_spares_the_rest_of_the_batch() -> None:
    worker = Worker()
    applied = record(queued(CONVERSATION, "customer", {"n": "0"}))
    limited = [record(queued(CONVERSATION, PARTICIPANT, {"n": str(n)})) for n in (1, 2)]
    spared = record(queued(OTHER_CONVERSATION, PARTICIPANT, {"n": "3"}))
    worker.genesys.errors = [None, RateLimited("429", retry_after=7)]

    failed = worker.run(applied, limited[0], spared, limited[1])

    assert failed == [limited[0]["messageId"], spared["messageId"], limited[1]["messageId"]]
    assert len(worker.genesys.patches) == 2  # the last group is not tried: the rate limit is shared
    assert worker.visibility.delays == [
        ([limited[0]["receiptHandle"], limited[1]["receiptHandle"]], 7),
        ([spared["receiptHandle"]], 7),
    ]
    assert worker.marks.clears == [(f"{CONVERSATION}:customer", _request_id(applied))]  # failed: kept


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [(0, MIN_RETRY_DELAY_SECONDS), (30, 30), (86400, MAX_RETRY_DELAY_SECONDS), (None, None)],
)
def test_retry_after_is_honoured_within_bounds(retry_after: int | None, delay: int | None) -> None:
    worker = Worker()
    worker.genesys.target_errors = [RateLimited("429", retry_after=retry_after)]

    with pytest.raises(BatchProcessingError):  # the whole batch failed: the invocation fails
        worker.run(record(queued(CONVERSATION, PARTICIPANT, {"n": "1"})))

    assert [seconds for _, seconds in worker.visibility.delays] == ([] if delay is None else [delay])


def test_a_redelivered_write_is_applied_again_with_the_same_result_and_its_mark_left_alone() -> None:
    worker = Worker()
    write = worker.mark(queued(CONVERSATION, PARTICIPANT, {"tier": "gold"}))
    delivered = record(write)
    newer = worker.mark(queued(CONVERSATION, PARTICIPANT, {"lang": "fr"}))  # queued after the first run

    assert worker.run(delivered) == []
    assert (
        worker.run({**delivered, "attributes": {**delivered["attributes"], "ApproximateReceiveCount": "2"}})
        == []
    )

    assert worker.genesys.patches == [(CONVERSATION, PARTICIPANT, {"tier": "gold"})] * 2
    assert worker.marks.marks == {write.group: newer.request_id}  # the newer write's mark stays


def test_a_mark_that_cannot_be_cleared_does_not_fail_the_applied_write() -> None:
    worker = Worker()
    worker.marks.error = OutboxUnavailable("dynamodb:timeout")

    assert worker.run(record(queued(CONVERSATION, PARTICIPANT, {"tier": "gold"}))) == []

    assert len(worker.genesys.patches) == 1


def test_values_are_logged_only_when_the_operator_opts_in(caplog: pytest.LogCaptureFixture) -> None:
    Worker().run(record(queued(CONVERSATION, PARTICIPANT, {"tier": "value-one"})))
    Worker(log_values=True).run(record(queued(CONVERSATION, PARTICIPANT, {"tier": "value-two"})))

    default, opted_in = (r.__dict__ for r in caplog.records if r.getMessage() == "Queued writes applied")
    assert default["keys"] == opted_in["keys"] == ["tier"]
    assert "attributes" not in default
    assert opted_in["attributes"] == {"tier": "value-two"}
    assert "value-one" not in caplog.text


def _request_id(sqs_record: dict[str, Any]) -> str:
    return QueuedWrite.from_json(sqs_record["body"]).request_id
