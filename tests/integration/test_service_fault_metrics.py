"""Service faults reach the ServiceFaults metric, per function version too, over real HTTP against the
emulator and moto_server; the caller's own mistakes do not (they are Failures, and on the direct path
RejectedInvocations). The metrics are read where CloudWatch reads them: the EMF lines the handler prints."""

from __future__ import annotations

import uuid

import pytest

from genesys_emulator import Fault
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.observability import FUNCTION_VERSION_DIMENSION, FUNCTION_VERSION_VARIABLE, MetricName
from tests.events import api_event, event
from tests.integration.conftest import LocalStack
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values

VERSION = "7"
# More 503s than the budget's retries can use: the request answers 503 whatever the back-off.
ALWAYS = 50


@pytest.fixture(autouse=True)
def _deployed_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Lambda sets it for an invocation through the `live` alias, here version 7."""
    monkeypatch.setenv(FUNCTION_VERSION_VARIABLE, VERSION)


def _counts(capsys: pytest.CaptureFixture[str], name: MetricName) -> tuple[list[float], list[float]]:
    """(the fleet's count, version 7's count) of `name` in what the invocations printed."""
    documents = emf_documents(capsys)
    return metric_values(documents, name), metric_values(
        documents, name, **{FUNCTION_VERSION_DIMENSION: VERSION}
    )


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_a_503_answer_is_a_service_fault_of_the_running_version(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    stack.emulator.inject_fault(Fault(status=503, count=ALWAYS, method="PATCH"))

    response = stack.invoke(api_event(kind), timeout_seconds=5)

    assert response["statusCode"] == 503
    assert stack.patches() > 1  # retried first: one 503 alone is absorbed, not a fault
    assert _counts(capsys, MetricName.SERVICE_FAULTS) == ([1.0], [1.0])


def test_a_404_for_an_unknown_conversation_is_no_service_fault(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    response = stack.invoke(api_event("rest", conversation_id=str(uuid.uuid4())))

    assert response["statusCode"] == 404
    assert [r.status for r in stack.emulator.requests if r.method == "PATCH"] == [404]
    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.FAILURES) == [1.0]
    assert metric_values(documents, MetricName.SERVICE_FAULTS) == []
    assert metric_values(documents, MetricName.SERVICE_FAULTS, **{FUNCTION_VERSION_DIMENSION: VERSION}) == []


def test_a_genesys_503_absorbed_by_a_retry_is_no_service_fault(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.emulator.inject_fault(Fault(status=503, count=1, method="PATCH"))

    assert stack.invoke(api_event("rest"))["statusCode"] == 200
    assert _counts(capsys, MetricName.SERVICE_FAULTS) == ([], [])


def test_a_direct_invocation_answered_429_is_a_fault_and_not_the_callers_mistake(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.emulator.inject_fault(Fault(status=429, count=1, retry_after=60, method="PATCH"))

    with pytest.raises(DataActionFailed, match=r"^429 genesys_rate_limited"):
        stack.invoke(event("direct-invocation"))

    assert _counts(capsys, MetricName.SERVICE_FAULTS) == ([1.0], [1.0])
    assert _counts(capsys, MetricName.REJECTED_INVOCATIONS) == ([], [])


def test_a_direct_invocation_for_an_unknown_conversation_is_rejected_not_a_fault(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    request = event("direct-invocation") | {"conversationId": str(uuid.uuid4())}

    with pytest.raises(DataActionFailed, match=r"^404 not_found"):
        stack.invoke(request)

    documents = emf_documents(capsys)
    versioned = {FUNCTION_VERSION_DIMENSION: VERSION}
    assert metric_values(documents, MetricName.REJECTED_INVOCATIONS) == [1.0]
    assert metric_values(documents, MetricName.REJECTED_INVOCATIONS, **versioned) == [1.0]
    assert metric_values(documents, MetricName.SERVICE_FAULTS) == []
