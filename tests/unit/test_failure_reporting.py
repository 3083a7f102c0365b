"""Which failures are the service's faults (and page) and which are the caller's own mistakes (and never
do), and what each entry point records for them: Failures by code always; ServiceFaults, in total and per
function version, for a fault; RejectedInvocations, in total and per version, for a direct invocation
refused for its input. Read from the EMF lines the real handler prints, with Genesys faked in-process
(tests/integration/test_service_fault_metrics.py does the same over real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import app
from localdev.lambda_context import LocalLambdaContext
from participant_data.errors import (
    CALLER_ERROR_STATUSES,
    ConfigurationError,
    CustomerNotFound,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceError,
    UnsupportedMediaType,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.observability import (
    FUNCTION_VERSION_DIMENSION,
    FUNCTION_VERSION_VARIABLE,
    UNPUBLISHED_VERSION,
    MetricName,
)
from tests.events import api_event, event
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values
from tests.unit.fakes import FakeGenesys

VERSION = "42"


def _service_error_classes() -> Iterator[type[ServiceError]]:
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


# --- The classification --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        InvalidRequest("bad"),
        InvalidRequest("Genesys refused the values", code="genesys_rejected_input"),
        UnsupportedMediaType("not JSON"),
        PayloadTooLarge("too big"),
        PayloadTooLarge("Genesys refused the size", code="genesys_payload_too_large"),
        NotFound("no such conversation"),
        NotFound("no such route", code="route_not_found"),
        CustomerNotFound(),
    ],
    ids=lambda error: error.code,
)
def test_the_callers_own_mistakes_are_never_service_faults(error: ServiceError) -> None:
    assert error.is_caller_error
    assert not error.is_service_fault


@pytest.mark.parametrize(
    "error",
    [
        RateLimited("Genesys rate limited the org", retry_after=60),
        UpstreamRejected("forbidden", code="genesys_forbidden"),
        UpstreamRejected("credentials", code="genesys_credentials_rejected"),
        UpstreamUnavailable("Genesys answered 503"),
        UpstreamTimeout("the budget ran out"),
        ConfigurationError("the secret is not JSON"),
        ServiceError("a bug"),
    ],
    ids=lambda error: error.code,
)
def test_5xx_answers_and_genesys_429s_are_service_faults(error: ServiceError) -> None:
    assert error.is_service_fault
    assert not error.is_caller_error


def test_the_caller_statuses_are_the_documented_ones() -> None:
    assert {400, 404, 413, 415, 422} == CALLER_ERROR_STATUSES


@pytest.mark.parametrize("cls", list(_service_error_classes()), ids=lambda cls: cls.__name__)
def test_every_error_class_is_exactly_one_of_the_two(cls: type[ServiceError]) -> None:
    assert cls.status >= 400
    error = cls.__new__(cls)  # the classification reads the class's status only
    assert error.is_caller_error is (cls.status in CALLER_ERROR_STATUSES)
    assert error.is_service_fault is not error.is_caller_error


def test_a_status_nobody_classified_counts_as_a_fault() -> None:
    """A new kind of error pages until someone decides it is the caller's."""

    class Conflict(ServiceError):
        status = 409
        code = "conflict"

    assert Conflict("someone else wrote first").is_service_fault


# --- What each entry point records ---------------------------------------------------------------------


@pytest.fixture
def deployed_version(monkeypatch: pytest.MonkeyPatch) -> str:
    """As Lambda sets it for an invocation through the `live` alias."""
    monkeypatch.setenv(FUNCTION_VERSION_VARIABLE, VERSION)
    return VERSION


def _faults(capsys: pytest.CaptureFixture[str]) -> tuple[list[float], list[float], list[float]]:
    """(ServiceFaults in total, ServiceFaults of this version, Failures in total) the invocations printed."""
    documents = emf_documents(capsys)
    return (
        metric_values(documents, MetricName.SERVICE_FAULTS),
        metric_values(documents, MetricName.SERVICE_FAULTS, **{FUNCTION_VERSION_DIMENSION: VERSION}),
        metric_values(documents, MetricName.FAILURES),
    )


@pytest.mark.parametrize(
    "error",
    [
        RateLimited("slow down", retry_after=60),
        UpstreamUnavailable("Genesys answered 503"),
        UpstreamTimeout("slow"),
        UpstreamRejected("forbidden", code="genesys_forbidden"),
    ],
    ids=lambda error: error.code,
)
@pytest.mark.parametrize("kind", ["rest", "http"])
def test_an_api_answer_that_is_a_fault_counts_for_the_fleet_and_the_version(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
    kind: str,
    error: ServiceError,
) -> None:
    genesys.error = error

    response = app.lambda_handler(api_event(kind), lambda_context)

    assert response["statusCode"] == error.status
    assert _faults(capsys) == ([1.0], [1.0], [1.0])


def test_an_unexpected_error_on_the_api_path_is_a_fault(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
) -> None:
    genesys.error = RuntimeError("a bug")

    assert app.lambda_handler(api_event("rest"), lambda_context)["statusCode"] == 500
    assert _faults(capsys) == ([1.0], [1.0], [1.0])


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"raw_body": '{"attributes": {}}'}, 400),
        ({"content_type": "text/plain"}, 415),
        ({"raw_body": "x" * 70_000}, 413),
        ({"method": "GET"}, 404),
    ],
)
def test_an_api_answer_for_the_callers_mistake_is_a_failure_but_no_fault(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
    overrides: dict[str, object],
    status: int,
) -> None:
    response = app.lambda_handler(api_event("rest", **overrides), lambda_context)  # type: ignore[arg-type]

    assert response["statusCode"] == status
    assert _faults(capsys) == ([], [], [1.0])


def test_a_conversation_genesys_does_not_know_is_no_fault(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
) -> None:
    genesys.error = NotFound("Genesys does not know the conversation.")

    assert app.lambda_handler(api_event("rest"), lambda_context)["statusCode"] == 404
    assert _faults(capsys) == ([], [], [1.0])


def _invoke_directly(lambda_context: LocalLambdaContext, request: dict[str, object]) -> DataActionFailed:
    with pytest.raises(DataActionFailed) as raised:
        app.lambda_handler(request, lambda_context)
    return raised.value


def test_a_direct_invocation_refused_for_its_input_is_rejected_not_a_fault(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
) -> None:
    bad = event("direct-invocation")
    bad["attributes"] = {}

    assert _invoke_directly(lambda_context, bad).status == 400

    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.REJECTED_INVOCATIONS) == [1.0]
    versioned = {FUNCTION_VERSION_DIMENSION: VERSION}
    assert metric_values(documents, MetricName.REJECTED_INVOCATIONS, **versioned) == [1.0]
    assert metric_values(documents, MetricName.SERVICE_FAULTS) == []
    assert genesys.patches == []


@pytest.mark.parametrize(
    "error",
    [RateLimited("slow down", retry_after=60), UpstreamTimeout("slow")],
    ids=lambda error: error.code,
)
def test_a_direct_invocation_that_faults_is_a_fault_and_not_rejected(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
    error: ServiceError,
) -> None:
    """A Genesys 429 the budget could not absorb used to count as the caller's mistake (status < 500)."""
    genesys.error = error

    assert _invoke_directly(lambda_context, event("direct-invocation")).status == error.status

    documents = emf_documents(capsys)
    assert metric_values(documents, MetricName.REJECTED_INVOCATIONS) == []
    assert metric_values(documents, MetricName.SERVICE_FAULTS) == [1.0]
    assert metric_values(documents, MetricName.SERVICE_FAULTS, **{FUNCTION_VERSION_DIMENSION: VERSION}) == [
        1.0
    ]


def test_outside_lambda_the_version_is_the_unpublished_one(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(FUNCTION_VERSION_VARIABLE, raising=False)
    genesys.error = UpstreamTimeout("slow")

    app.lambda_handler(api_event("rest"), lambda_context)

    versioned = {FUNCTION_VERSION_DIMENSION: UNPUBLISHED_VERSION}
    assert metric_values(emf_documents(capsys), MetricName.SERVICE_FAULTS, **versioned) == [1.0]


def test_the_happy_path_records_no_fault_and_prints_no_extra_line(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    capsys: pytest.CaptureFixture[str],
    deployed_version: str,
) -> None:
    assert app.lambda_handler(api_event("rest"), lambda_context)["statusCode"] == 200

    (metric_set,) = emf_documents(capsys)  # only the invocation's own, flushed once
    assert MetricName.SERVICE_FAULTS not in metric_set
    assert metric_set[MetricName.ATTRIBUTE_UPDATES] == [1.0]


@pytest.mark.parametrize(("error", "fault"), [(UpstreamTimeout("slow"), True), (NotFound("gone"), False)])
def test_the_failure_log_line_says_whether_the_service_is_at_fault(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    caplog: pytest.LogCaptureFixture,
    error: ServiceError,
    fault: bool,
) -> None:
    genesys.error = error

    app.lambda_handler(api_event("rest"), lambda_context)

    (failed,) = [record.__dict__ for record in caplog.records if record.getMessage() == "Request failed"]
    assert (failed["error_code"], failed["status"], failed["service_fault"]) == (
        error.code,
        error.status,
        fault,
    )
