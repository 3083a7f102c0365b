"""Powertools logger, tracer and metrics, and the few metrics the service emits.

What must never reach a log line, a trace or a metric: the client secret, access tokens and (unless
LOG_ATTRIBUTE_VALUES is on) attribute values. Methods that return secrets or tokens are traced with
`capture_response=False` (genesys-api-notes.md, "AWS facts": capture_method records return values).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

SERVICE_NAME = "genesys-participant-data"
METRICS_NAMESPACE = "GenesysParticipantData"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME))
# Powertools Metrics raises without a namespace (genesys-api-notes.md, "AWS facts"): default one.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE))


def record_update(key_count: int) -> None:
    metrics.add_metric(name="AttributeUpdates", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="AttributesSet", unit=MetricUnit.Count, value=key_count)


def record_failure(code: str) -> None:
    """One failed request: a total, and one with the error code as a dimension to split failures by kind."""
    metrics.add_metric(name="Failures", unit=MetricUnit.Count, value=1)
    with single_metric(
        name="Failures",
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions={**metrics.default_dimensions, "ErrorCode": code},
    ):
        pass


def record_retry(reason: str) -> None:
    metrics.add_metric(name="GenesysRetries", unit=MetricUnit.Count, value=1)
    logger.info("Retrying an outbound call", extra={"retry_reason": reason})


def record_upstream_latency(seconds: float) -> None:
    metrics.add_metric(name="GenesysLatency", unit=MetricUnit.Milliseconds, value=round(seconds * 1000, 1))


def record_health(healthy: bool) -> None:
    metrics.add_metric(name="HealthCheckHealthy", unit=MetricUnit.Count, value=1 if healthy else 0)
