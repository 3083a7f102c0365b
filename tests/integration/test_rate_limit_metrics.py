"""Genesys's 429 answers reach the GenesysRateLimited metric, over real HTTP against the emulator.

The metrics are read where CloudWatch reads them: the EMF lines the real handler prints on stdout.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from genesys_emulator import Fault
from participant_data.observability import RETRY_REASON_DIMENSION, MetricName, metrics
from tests.events import api_event
from tests.integration.conftest import LocalStack


def emf_documents(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    return [
        document
        for document in documents
        if document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == metrics.namespace
    ]


def metric_values(documents: list[dict[str, Any]], name: str, **dimensions: str) -> list[float]:
    """Every value of `name` in documents whose extra dimensions are exactly `dimensions`."""
    found: list[float] = []
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        extra = {dimension for dimension in directive["Dimensions"][0] if dimension != "service"}
        matches = all(document.get(key) == value for key, value in dimensions.items())
        if name in document and extra == set(dimensions) and matches:
            value = document[name]
            found.extend(value if isinstance(value, list) else [value])
    return found


@pytest.mark.parametrize(
    ("retry_after", "status"),
    [pytest.param(1, 200, id="waited-out-and-retried"), pytest.param(60, 429, id="answered-at-once")],
)
def test_a_genesys_429_is_counted_whether_or_not_it_is_retried(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], retry_after: int, status: int
) -> None:
    stack.emulator.inject_fault(Fault(status=429, count=1, retry_after=retry_after, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == status
    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.GENESYS_RATE_LIMITED) == [1.0]
    retried = metric_values(documents, MetricName.GENESYS_RETRIES, **{RETRY_REASON_DIMENSION: "genesys:429"})
    assert retried == ([1.0] if status == 200 else [])


def test_the_emulators_rate_limit_is_counted_each_time_it_answers_429(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.emulator.set_rate_limit(1)  # one API request per token per minute: the next one waits ~60 s

    first, second = stack.invoke(api_event("rest")), stack.invoke(api_event("rest"))

    assert (first["statusCode"], second["statusCode"]) == (200, 429)
    assert [r.status for r in stack.emulator.requests if r.method == "PATCH"] == [202, 429]
    assert metric_values(emf_documents(capsys), MetricName.GENESYS_RATE_LIMITED) == [1.0]


def test_no_429_no_rate_limited_metric(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    assert stack.invoke(api_event("rest"))["statusCode"] == 200

    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.ATTRIBUTE_UPDATES) == [1.0]  # the metrics were flushed
    assert metric_values(documents, MetricName.GENESYS_RATE_LIMITED) == []
