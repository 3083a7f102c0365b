"""The metrics the service emits: names, units, dimensions, and which of them cost an extra EMF line.

The invocation's metric set is flushed once by `@metrics.log_metrics`; a metric with an extra dimension
(ErrorCode, RetryReason) is printed at once as its own EMF line, so it must stay off the happy path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from participant_data import observability
from participant_data.observability import (
    DROP_REASON_DIMENSION,
    ERROR_CODE_DIMENSION,
    FUNCTION_VERSION_DIMENSION,
    FUNCTION_VERSION_VARIABLE,
    RETRY_REASON_DIMENSION,
    SERVICE_NAME,
    SLOW_CALL_SECONDS,
    MetricName,
    metrics,
    record_failure,
    record_health,
    record_mark_read_failure,
    record_outbox_store_failure,
    record_rate_limited,
    record_rejected_invocation,
    record_retry,
    record_secret_served_stale,
    record_service_fault,
    record_update,
    record_upstream_latency,
    record_write_dropped,
    record_write_expired,
    record_write_queued,
    record_writes_applied,
)


@pytest.fixture(autouse=True)
def _empty_metric_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # As the template sets it; single metrics read it when they are emitted.
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE_NAME)
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def metric_set() -> dict[str, Any]:
    """The invocation's metric set as `log_metrics` would print it (an EMF document)."""
    return dict(metrics.serialize_metric_set())


def values(document: dict[str, Any], name: str) -> list[float]:
    value = document.get(name, [])
    return value if isinstance(value, list) else [value]


def emitted_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """EMF documents printed at once (single metrics), one JSON object per stdout line."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]


def definitions(document: dict[str, Any]) -> tuple[list[list[str]], dict[str, str]]:
    """(dimension sets, {metric name: unit}) of an EMF document."""
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == metrics.namespace
    return directive["Dimensions"], {m["Name"]: m["Unit"] for m in directive["Metrics"]}


def test_a_genesys_429_is_counted_in_the_invocations_metric_set(capsys: pytest.CaptureFixture[str]) -> None:
    record_rate_limited()
    record_rate_limited()

    document = metric_set()
    assert values(document, "GenesysRateLimited") == [1.0, 1.0]
    assert definitions(document)[1]["GenesysRateLimited"] == "Count"
    assert emitted_lines(capsys) == []  # no extra EMF line: flushed with the rest


def test_a_retry_is_counted_in_total_and_by_reason(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    record_retry("genesys:503")

    assert values(metric_set(), "GenesysRetries") == [1.0]
    (by_reason,) = emitted_lines(capsys)
    dimensions, units = definitions(by_reason)
    assert units == {"GenesysRetries": "Count"}
    assert dimensions == [[RETRY_REASON_DIMENSION, "service"]]
    assert by_reason[RETRY_REASON_DIMENSION] == "genesys:503"
    assert by_reason["GenesysRetries"] == [1.0]
    assert [record.__dict__.get("retry_reason") for record in caplog.records] == ["genesys:503"]


def test_a_failure_is_counted_in_total_and_by_error_code(capsys: pytest.CaptureFixture[str]) -> None:
    record_failure("genesys_forbidden")

    assert values(metric_set(), "Failures") == [1.0]
    (by_code,) = emitted_lines(capsys)
    assert definitions(by_code)[0] == [[ERROR_CODE_DIMENSION, "service"]]
    assert by_code[ERROR_CODE_DIMENSION] == "genesys_forbidden"
    assert by_code["service"] == SERVICE_NAME


@pytest.mark.parametrize(
    ("record", "name"),
    [
        (record_service_fault, MetricName.SERVICE_FAULTS),
        (record_rejected_invocation, MetricName.REJECTED_INVOCATIONS),
    ],
)
def test_faults_and_rejections_are_counted_in_total_and_for_the_running_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], record: Callable[[], None], name: str
) -> None:
    """The total feeds the fleet's alarms; the version's own line feeds the rollback alarm of a deploy."""
    monkeypatch.setenv(FUNCTION_VERSION_VARIABLE, "17")

    record()

    assert values(metric_set(), name) == [1.0]
    (by_version,) = emitted_lines(capsys)
    assert definitions(by_version) == ([[FUNCTION_VERSION_DIMENSION, "service"]], {name: "Count"})
    assert (by_version[FUNCTION_VERSION_DIMENSION], by_version["service"]) == ("17", SERVICE_NAME)
    assert by_version[name] == [1.0]


def test_a_queued_write_is_a_service_fault_of_the_running_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paging and the rollback alarm see queued writes: a bad deploy must not hide behind `200 queued`."""
    monkeypatch.setenv(FUNCTION_VERSION_VARIABLE, "18")

    record_write_queued()

    document = metric_set()
    assert values(document, MetricName.OUTBOX_WRITES_QUEUED) == [1.0]
    assert values(document, MetricName.SERVICE_FAULTS) == [1.0]
    (by_version,) = emitted_lines(capsys)
    assert by_version[FUNCTION_VERSION_DIMENSION] == "18"
    assert by_version[MetricName.SERVICE_FAULTS] == [1.0]


def test_a_dropped_write_is_counted_in_total_and_by_reason(capsys: pytest.CaptureFixture[str]) -> None:
    record_write_dropped("ended")

    assert values(metric_set(), MetricName.OUTBOX_WRITES_DROPPED) == [1.0]
    (by_reason,) = emitted_lines(capsys)
    assert definitions(by_reason)[0] == [[DROP_REASON_DIMENSION, "service"]]
    assert by_reason[DROP_REASON_DIMENSION] == "ended"


def test_outbox_failures_are_counted_and_name_their_reason(caplog: pytest.LogCaptureFixture) -> None:
    record_outbox_store_failure("sqs:timeout")
    record_mark_read_failure("dynamodb:AccessDeniedException")

    document = metric_set()
    assert values(document, MetricName.OUTBOX_STORE_FAILURES) == [1.0]
    assert values(document, MetricName.OUTBOX_MARK_READ_FAILURES) == [1.0]
    assert [record.__dict__.get("outbox_failure") for record in caplog.records] == [
        "sqs:timeout",
        "dynamodb:AccessDeniedException",
    ]


def test_the_happy_path_prints_no_extra_emf_line(capsys: pytest.CaptureFixture[str]) -> None:
    record_upstream_latency(0.05)
    record_update(3)
    record_health(healthy=True)

    document = metric_set()
    assert values(document, "GenesysLatency") == [50.0]
    assert (values(document, "AttributeUpdates"), values(document, "AttributesSet")) == ([1.0], [3.0])
    assert definitions(document)[1]["GenesysLatency"] == "Milliseconds"
    assert emitted_lines(capsys) == []


def test_disabled_metrics_print_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator CLI and the demo disable metrics so that stdout carries only their own output."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    record_failure("invalid_request")
    record_retry("genesys:timeout")

    assert emitted_lines(capsys) == []


def test_only_slow_calls_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    record_upstream_latency(SLOW_CALL_SECONDS / 10)
    record_upstream_latency(SLOW_CALL_SECONDS + 0.25)

    (slow,) = caplog.records
    assert slow.getMessage() == "Slow Genesys call"
    assert slow.__dict__["genesys_latency_ms"] == (SLOW_CALL_SECONDS + 0.25) * 1000


def test_health_is_one_when_healthy_and_zero_when_not() -> None:
    record_health(healthy=True)
    record_health(healthy=False)

    assert values(metric_set(), "HealthCheckHealthy") == [1.0, 0.0]


RECORDERS: list[Callable[[], None]] = [
    lambda: record_update(1),
    lambda: record_failure("internal_error"),
    lambda: record_retry("genesys:timeout"),
    record_rate_limited,
    record_rejected_invocation,
    record_service_fault,
    record_secret_served_stale,
    lambda: record_upstream_latency(0.01),
    lambda: record_health(healthy=True),
    record_write_queued,
    lambda: record_writes_applied(2),
    record_write_expired,
    lambda: record_write_dropped("ended"),
    lambda: record_outbox_store_failure("sqs:timeout"),
    lambda: record_mark_read_failure("dynamodb:timeout"),
]


def test_every_declared_metric_name_is_emitted_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    """The dashboard test trusts MetricName to be what the code emits: both ways."""
    for record in RECORDERS:
        record()

    names = set(definitions(metric_set())[1])
    for line in emitted_lines(capsys):
        names |= set(definitions(line)[1])
    assert names == {str(name) for name in MetricName}


def test_metric_names_are_unique_and_the_namespace_has_a_default() -> None:
    assert len({str(name) for name in MetricName}) == len(MetricName)
    assert observability.METRICS_NAMESPACE == "GenesysParticipantData"
