"""Powertools logger, tracer and metrics, and the few metrics the service emits.

What must never reach a log line, a trace or a metric: the client secret, access tokens and (unless
LOG_ATTRIBUTE_VALUES is on) attribute values. Methods that return secrets or tokens are traced with
`capture_response=False` (capture_method records return values: docs/genesys-facts.md#powertools).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE_NAME = "genesys-participant-data"
METRICS_NAMESPACE = "GenesysParticipantData"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME))
# Powertools Metrics raises without a namespace (docs/genesys-facts.md#powertools): default one.
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME),  # the dashboard's `service` dimension
)


class MetricName(StrEnum):
    """Every metric the service emits (namespace above, dimension `service`); the dashboard in template.yaml
    charts these and tests/template/test_dashboard.py checks it against this list."""

    ATTRIBUTE_UPDATES = "AttributeUpdates"
    ATTRIBUTES_SET = "AttributesSet"
    FAILURES = "Failures"  # also per ErrorCode
    GENESYS_RETRIES = "GenesysRetries"  # also per RetryReason
    GENESYS_LATENCY = "GenesysLatency"
    GENESYS_RATE_LIMITED = "GenesysRateLimited"
    HEALTH_CHECK_HEALTHY = "HealthCheckHealthy"
    # Direct invocations that raised for the caller's own mistake (ServiceError.is_caller_error): Lambda
    # counts them in Errors, and the alarms on Errors subtract them so that they page for faults only.
    # Also per FunctionVersion, for the rollback alarm.
    REJECTED_INVOCATIONS = "RejectedInvocations"
    # Requests served with credentials older than the secret cache's TTL because re-reading the secret
    # failed (Secrets Manager unavailable) or waits out a back-off after such a failure (secrets.py).
    SECRET_SERVED_STALE = "SecretServedStale"  # noqa: S105 - a metric name  # nosec B105
    # Requests answered with a service fault (ServiceError.is_service_fault: a 5xx, or a Genesys 429 the
    # budget could not absorb), from either entry point. Also per FunctionVersion, for the rollback alarm.
    SERVICE_FAULTS = "ServiceFaults"
    # The outbox (issue 13). Queued: writes answered `queued` (each also a ServiceFault); applied by the
    # worker; expired (older than OUTBOX_MAX_AGE_SECONDS) and dropped (also per DropReason) by the worker.
    OUTBOX_WRITES_QUEUED = "OutboxWritesQueued"
    OUTBOX_WRITES_APPLIED = "OutboxWritesApplied"
    OUTBOX_WRITES_EXPIRED = "OutboxWritesExpired"
    OUTBOX_WRITES_DROPPED = "OutboxWritesDropped"
    # Writes the outbox should have kept but could not (marking or sending failed): the caller got the
    # original failure.
    OUTBOX_STORE_FAILURES = "OutboxStoreFailures"
    # Pending-mark reads that failed: the write went straight to Genesys, unordered behind queued ones.
    OUTBOX_MARK_READ_FAILURES = "OutboxMarkReadFailures"


# Extra dimensions, each on its own EMF line (only for failures and retries: never on the happy path).
ERROR_CODE_DIMENSION = "ErrorCode"
RETRY_REASON_DIMENSION = "RetryReason"
FUNCTION_VERSION_DIMENSION = "FunctionVersion"
DROP_REASON_DIMENSION = "DropReason"
# Lambda sets this reserved variable to the version running the code (behind the `live` alias, its number;
# docs/genesys-facts.md#lambda-function-version). Elsewhere (tests, `make serve`)
# nothing sets it, and the version is Lambda's name for the unpublished one.
FUNCTION_VERSION_VARIABLE = "AWS_LAMBDA_FUNCTION_VERSION"
UNPUBLISHED_VERSION = "$LATEST"
# An outbound call slower than this gets a log line (with the conversation ID) besides the latency metric.
SLOW_CALL_SECONDS = 1.0


def attribute_fields(attributes: Mapping[str, str], log_values: bool) -> dict[str, object]:
    """What a log line may say of a request's attributes: their keys, and their values (caller data) only
    when LOG_ATTRIBUTE_VALUES is on."""
    fields: dict[str, object] = {"keys": list(attributes)}
    if log_values:
        fields["attributes"] = dict(attributes)
    return fields


def record_update(key_count: int) -> None:
    metrics.add_metric(name=MetricName.ATTRIBUTE_UPDATES, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=MetricName.ATTRIBUTES_SET, unit=MetricUnit.Count, value=key_count)


def record_failure(code: str) -> None:
    """One failed request: a total, and one with the error code as a dimension to split failures by kind."""
    metrics.add_metric(name=MetricName.FAILURES, unit=MetricUnit.Count, value=1)
    _count_by_dimension(MetricName.FAILURES, ERROR_CODE_DIMENSION, code)


def record_retry(reason: str) -> None:
    """One retry of an outbound call (Genesys or Secrets Manager): a total, and one per reason
    (`genesys:429`, `genesys:503`, `genesys:timeout`, `secretsmanager:connection`, ...)."""
    metrics.add_metric(name=MetricName.GENESYS_RETRIES, unit=MetricUnit.Count, value=1)
    _count_by_dimension(MetricName.GENESYS_RETRIES, RETRY_REASON_DIMENSION, reason)
    logger.info("Retrying an outbound call", extra={"retry_reason": reason})


def record_rejected_invocation() -> None:
    """A direct invocation that raised for the caller's input: a total, and one for this version."""
    metrics.add_metric(name=MetricName.REJECTED_INVOCATIONS, unit=MetricUnit.Count, value=1)
    _count_by_dimension(MetricName.REJECTED_INVOCATIONS, FUNCTION_VERSION_DIMENSION, function_version())


def record_service_fault() -> None:
    """A request the service failed: a total (the fleet's alarm), and one for this version, which the
    rollback alarm watches while a deploy shifts traffic to it."""
    metrics.add_metric(name=MetricName.SERVICE_FAULTS, unit=MetricUnit.Count, value=1)
    _count_by_dimension(MetricName.SERVICE_FAULTS, FUNCTION_VERSION_DIMENSION, function_version())


def function_version() -> str:
    """Read when a failure is recorded, never on the happy path."""
    return os.environ.get(FUNCTION_VERSION_VARIABLE) or UNPUBLISHED_VERSION


def record_secret_served_stale() -> None:
    metrics.add_metric(name=MetricName.SECRET_SERVED_STALE, unit=MetricUnit.Count, value=1)


def record_rate_limited() -> None:
    """Genesys answered 429, whether or not the call is then retried (a retried 429 is also a retry)."""
    metrics.add_metric(name=MetricName.GENESYS_RATE_LIMITED, unit=MetricUnit.Count, value=1)


def record_upstream_latency(seconds: float) -> None:
    milliseconds = round(seconds * 1000, 1)
    metrics.add_metric(name=MetricName.GENESYS_LATENCY, unit=MetricUnit.Milliseconds, value=milliseconds)
    if seconds >= SLOW_CALL_SECONDS:
        logger.info("Slow Genesys call", extra={"genesys_latency_ms": milliseconds})


def record_write_queued() -> None:
    """A write answered `queued`: the service failed to write it now, so it is a service fault too
    (paging, and the rollback alarm: a bad deploy must not hide behind `200 queued`)."""
    metrics.add_metric(name=MetricName.OUTBOX_WRITES_QUEUED, unit=MetricUnit.Count, value=1)
    record_service_fault()


def record_outbox_store_failure(reason: str) -> None:
    metrics.add_metric(name=MetricName.OUTBOX_STORE_FAILURES, unit=MetricUnit.Count, value=1)
    logger.warning("The outbox could not store a write", extra={"outbox_failure": reason})


def record_mark_read_failure(reason: str) -> None:
    metrics.add_metric(name=MetricName.OUTBOX_MARK_READ_FAILURES, unit=MetricUnit.Count, value=1)
    logger.warning(
        "Reading the pending mark failed: writing to Genesys now", extra={"outbox_failure": reason}
    )


def record_writes_applied(count: int) -> None:
    metrics.add_metric(name=MetricName.OUTBOX_WRITES_APPLIED, unit=MetricUnit.Count, value=count)


def record_write_expired() -> None:
    metrics.add_metric(name=MetricName.OUTBOX_WRITES_EXPIRED, unit=MetricUnit.Count, value=1)


def record_write_dropped(reason: str) -> None:
    """A queued write the worker will never apply (`ended`, `participant_gone`, `malformed`, ...): a total,
    and one per reason."""
    metrics.add_metric(name=MetricName.OUTBOX_WRITES_DROPPED, unit=MetricUnit.Count, value=1)
    _count_by_dimension(MetricName.OUTBOX_WRITES_DROPPED, DROP_REASON_DIMENSION, reason)


def record_health(healthy: bool) -> None:
    metrics.add_metric(name=MetricName.HEALTH_CHECK_HEALTHY, unit=MetricUnit.Count, value=1 if healthy else 0)


def _count_by_dimension(name: MetricName, dimension: str, value: str) -> None:
    """A count of 1 with one extra dimension: its own EMF line now, since the invocation's metric set
    (flushed once by `log_metrics`) has a single set of dimensions. `single_metric` ignores
    POWERTOOLS_METRICS_DISABLED, which the operator CLI and the demo set to keep stdout theirs: honour it."""
    if is_metrics_disabled():
        return
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions={**metrics.default_dimensions, dimension: value},
    ):
        pass
