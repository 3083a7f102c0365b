"""The Lambda entry point and its handlers, with Genesys replaced by an in-process fake (the `genesys`
fixture of tests/unit/conftest.py). Routing on every deployment shape: test_routing.py."""

from __future__ import annotations

import pytest

import app
from localdev.lambda_context import LocalLambdaContext
from participant_data.container import Dependencies
from participant_data.errors import RateLimited, UpstreamTimeout, UpstreamUnavailable
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.logic.health_check import Unhealthy
from participant_data.settings import Settings, load_settings
from tests.events import (
    CONVERSATION,
    PARTICIPANT,
    SAMPLE_ATTRIBUTES,
    api_event,
    event,
    response_body,
    response_header,
    sample_answer,
)
from tests.unit.fakes import FakeGenesys, FakeOutbox


@pytest.mark.parametrize("kind", ["rest", "http"])
@pytest.mark.parametrize("base64_body", [False, True])
def test_api_events_set_the_attributes_and_answer_200(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, kind: str, base64_body: bool
) -> None:
    response = app.lambda_handler(api_event(kind, base64_body=base64_body), lambda_context)

    assert response["statusCode"] == 200
    assert response_body(response) == sample_answer()
    assert genesys.patches == [(CONVERSATION, PARTICIPANT, SAMPLE_ATTRIBUTES)]


@pytest.mark.parametrize("name", ["api-gateway-rest", "api-gateway-rest-base64", "api-gateway-http"])
def test_the_sample_events_work_as_they_are(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, name: str
) -> None:
    assert app.lambda_handler(event(name), lambda_context)["statusCode"] == 200


def test_the_customer_alias_event_resolves_the_customer(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    response = app.lambda_handler(event("api-gateway-rest-customer-alias"), lambda_context)

    assert response_body(response)["participantId"] == PARTICIPANT
    assert genesys.lookups == [CONVERSATION]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        (
            {"raw_body": "not base64!", "base64_body": False, "content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        ({"raw_body": '{"attributes": {"a": null}}'}, 400, "invalid_request"),
        ({"participant_id": "agent"}, 400, "invalid_request"),
        ({"method": "GET"}, 404, "route_not_found"),
        ({"route": "/conversations"}, 404, "route_not_found"),
        ({"raw_body": "x" * 70_000}, 413, "payload_too_large"),
    ],
)
@pytest.mark.parametrize("kind", ["rest", "http"])
def test_bad_requests_get_a_4xx_with_code_and_message_and_never_reach_genesys(
    genesys: FakeGenesys,
    lambda_context: LocalLambdaContext,
    kind: str,
    overrides: dict[str, object],
    status: int,
    code: str,
) -> None:
    response = app.lambda_handler(api_event(kind, **overrides), lambda_context)  # type: ignore[arg-type]

    assert response["statusCode"] == status
    body = response_body(response)
    assert body["code"] == code
    assert body["message"]
    assert genesys.patches == []


def test_a_body_marked_base64_that_is_not_is_a_400(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    request = api_event("rest")
    request["isBase64Encoded"] = True
    request["body"] = "{not base64}"

    response = app.lambda_handler(request, lambda_context)

    assert response["statusCode"] == 400
    assert "base64" in response_body(response)["message"]


def test_a_429_passes_retry_after_on(genesys: FakeGenesys, lambda_context: LocalLambdaContext) -> None:
    genesys.error = RateLimited("slow down", retry_after=42)

    response = app.lambda_handler(api_event("rest"), lambda_context)

    assert response["statusCode"] == 429
    assert response_header(response, "Retry-After") == "42"
    assert response_body(response) == {
        "code": "genesys_rate_limited",
        "message": "slow down",
        "retryAfterSeconds": 42,
    }


def test_an_unexpected_error_is_a_500_without_internal_text(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    genesys.error = RuntimeError("internal detail: pool=0x7f token=abc")

    response = app.lambda_handler(api_event("rest"), lambda_context)

    assert response["statusCode"] == 500
    assert "internal detail" not in response["body"]
    assert response_body(response)["code"] == "internal_error"


def test_a_missing_secret_setting_answers_service_misconfigured(
    monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    monkeypatch.delenv("GENESYS_SECRET_ID")

    response = app.lambda_handler(api_event("rest"), lambda_context)

    assert response["statusCode"] == 500
    assert response_body(response) == {
        "code": "service_misconfigured",
        "message": "GENESYS_SECRET_ID is not set",
    }


def test_direct_invocation_returns_the_result_object(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    result = app.lambda_handler(event("direct-invocation"), lambda_context)

    assert result == sample_answer()


def test_direct_invocation_raises_on_bad_input_and_on_upstream_failure(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    bad = event("direct-invocation")
    bad["attributes"] = {}
    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: attributes is empty"):
        app.lambda_handler(bad, lambda_context)
    assert genesys.patches == []

    genesys.error = UpstreamTimeout("Genesys Cloud did not answer within the time budget.")
    with pytest.raises(DataActionFailed, match=r"^504 upstream_timeout"):
        app.lambda_handler(event("direct-invocation"), lambda_context)


def test_the_schedule_runs_the_health_check(genesys: FakeGenesys, lambda_context: LocalLambdaContext) -> None:
    assert app.lambda_handler(event("scheduled"), lambda_context) == {"healthy": True}
    assert genesys.health_checks == 1

    genesys.error = UpstreamTimeout("slow")
    with pytest.raises(Unhealthy, match="upstream_timeout"):
        app.lambda_handler(event("scheduled"), lambda_context)


def test_the_health_check_is_unhealthy_when_unconfigured(
    monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    monkeypatch.delenv("GENESYS_SECRET_ID")

    with pytest.raises(Unhealthy, match="service_misconfigured"):
        app.lambda_handler(event("scheduled"), lambda_context)


def test_settings_fixture_is_sane() -> None:
    assert isinstance(load_settings(), Settings)


def test_a_direct_event_with_stray_api_gateway_fields_is_told_about_them(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    stray = event("direct-invocation") | {"httpMethod": None, "requestContext": None}

    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: The event has unknown fields"):
        app.lambda_handler(stray, lambda_context)
    assert genesys.patches == []


@pytest.fixture
def outbox(genesys: FakeGenesys, monkeypatch: pytest.MonkeyPatch) -> FakeOutbox:
    """The handlers' dependencies with an outbox (and the recording Genesys of the `genesys` fixture)."""
    fake = FakeOutbox()
    deps = Dependencies(load_settings(), genesys, CustomerParticipantCache(10), fake)  # type: ignore[arg-type]
    for module in ("api_gateway", "direct_invocation"):
        monkeypatch.setattr(f"participant_data.handlers.{module}.dependencies", lambda: deps)
    return fake


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_a_write_genesys_cannot_take_is_answered_200_queued_on_the_api(
    genesys: FakeGenesys, outbox: FakeOutbox, lambda_context: LocalLambdaContext, kind: str
) -> None:
    genesys.error = UpstreamUnavailable("Genesys is failing.")

    response = app.lambda_handler(api_event(kind), lambda_context)

    assert response["statusCode"] == 200
    assert response_body(response) == sample_answer(queued=True)
    [queued] = outbox.queue.sent
    assert queued.request_id == lambda_context.aws_request_id  # the message's deduplication id


def test_a_write_genesys_cannot_take_is_returned_queued_to_a_direct_invocation(
    genesys: FakeGenesys, outbox: FakeOutbox, lambda_context: LocalLambdaContext
) -> None:
    genesys.error = RateLimited("Genesys is rate-limiting.", retry_after=30)

    result = app.lambda_handler(event("direct-invocation"), lambda_context)

    assert result["queued"] is True
    assert result["updatedKeys"] == list(SAMPLE_ATTRIBUTES)
    assert [write.request_id for write in outbox.queue.sent] == [lambda_context.aws_request_id]


def test_an_opted_out_request_gets_the_failure_on_both_paths(
    genesys: FakeGenesys, outbox: FakeOutbox, lambda_context: LocalLambdaContext
) -> None:
    genesys.error = UpstreamUnavailable("Genesys is failing.")
    direct = event("direct-invocation") | {"queueIfUnavailable": False}
    body = {"attributes": SAMPLE_ATTRIBUTES, "queueIfUnavailable": False}

    response = app.lambda_handler(api_event(body=body), lambda_context)
    assert response["statusCode"] == 503
    with pytest.raises(DataActionFailed, match=r"^503 upstream_unavailable"):
        app.lambda_handler(direct, lambda_context)
    assert outbox.queue.sent == []


SQS_BATCH = {
    "Records": [
        {
            "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
            "body": "{}",
            "attributes": {"MessageGroupId": "g", "MessageDeduplicationId": "d"},
            "messageAttributes": {},
            "md5OfBody": "99914b932bd37a50b983c5e7c90ae93b",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:participant-data-outbox.fifo",
            "awsRegion": "us-east-1",
        }
    ]
}


def test_an_sqs_batch_sent_to_the_request_entry_point_is_refused_and_never_processed(
    genesys: FakeGenesys, outbox: FakeOutbox, lambda_context: LocalLambdaContext
) -> None:
    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: .*app\.queue_worker"):
        app.lambda_handler(SQS_BATCH, lambda_context)

    assert genesys.patches == []
    assert outbox.marks.reads == []
    assert outbox.queue.sent == []


def test_records_from_elsewhere_get_the_usual_unknown_field_refusal(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: The event has unknown fields"):
        app.lambda_handler({"Records": [{"eventSource": "aws:s3"}]}, lambda_context)
