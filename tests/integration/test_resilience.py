"""What Genesys and AWS can do to a call, over real HTTP: tokens, rotation, 429s, 5xx, hangs."""

from __future__ import annotations

import time

import pytest

from genesys_emulator import Fault
from tests.events import api_event, response_body, response_header
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, LocalStack

PATCH = "/api/v2/conversations"


def statuses(stack: LocalStack) -> list[tuple[str, str, int]]:
    return [(r.method, r.path.split("/")[1], r.status) for r in stack.emulator.requests]


def test_a_token_is_renewed_before_it_expires(stack: LocalStack) -> None:
    stack.emulator.add_client(CLIENT_ID, CLIENT_SECRET, token_lifetime=2)
    assert stack.invoke(api_event("rest"))["statusCode"] == 200

    time.sleep(2.0)
    assert stack.invoke(api_event("rest"))["statusCode"] == 200

    assert stack.token_requests() == 2
    assert all(r.status != 401 for r in stack.emulator.requests)  # renewed in advance, not after a 401


def test_an_expired_or_revoked_token_is_renewed_once_and_the_call_retried(stack: LocalStack) -> None:
    stack.invoke(api_event("rest"))
    for invalidate in (stack.emulator.expire_tokens, stack.emulator.revoke_tokens):
        invalidate()
        stack.emulator.clear_requests()

        assert stack.invoke(api_event("rest"))["statusCode"] == 200

        assert statuses(stack) == [("PATCH", "api", 401), ("POST", "oauth", 200), ("PATCH", "api", 202)]


def test_a_token_refused_again_after_renewal_is_a_502_not_a_loop(stack: LocalStack) -> None:
    stack.invoke(api_event("rest"))
    stack.emulator.inject_fault(Fault(status=401, count=5, method="PATCH"))
    stack.emulator.clear_requests()

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 502
    assert response_body(response)["code"] == "genesys_unauthorized"
    assert stack.patches() == 2


def test_a_rotated_client_secret_is_fetched_again_once(stack: LocalStack) -> None:
    stack.invoke(api_event("rest"))  # caches the secret and a token
    stack.rotate_secret("rotated-secret-Qv27")
    stack.emulator.revoke_tokens()
    stack.emulator.clear_requests()

    assert stack.invoke(api_event("rest"))["statusCode"] == 200

    assert [status for method, _, status in statuses(stack) if method == "POST"] == [401, 200]


def test_credentials_that_stay_rejected_are_a_502(stack: LocalStack) -> None:
    stack.emulator.rotate_client_secret(CLIENT_ID, "only-genesys-knows-this")

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 502
    assert response_body(response)["code"] == "genesys_credentials_rejected"
    assert stack.patches() == 0


def test_a_short_429_is_waited_out_and_retried(stack: LocalStack) -> None:
    stack.emulator.inject_fault(Fault(status=429, count=1, retry_after=1, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 200
    assert [s for m, _, s in statuses(stack) if m == "PATCH"] == [429, 202]
    assert stack.last_duration >= 1.0


def test_a_long_429_is_answered_at_once_with_its_retry_after(stack: LocalStack) -> None:
    stack.emulator.inject_fault(Fault(status=429, count=1, retry_after=60, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 429
    assert response_header(response, "Retry-After") == "60"
    assert response_body(response)["retryAfterSeconds"] == 60
    assert stack.patches() == 1
    assert stack.last_duration < 5  # did not sleep through the Retry-After


def test_5xx_answers_are_retried_until_success(stack: LocalStack) -> None:
    stack.emulator.inject_fault(Fault(status=503, count=2, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 200
    assert [s for m, _, s in statuses(stack) if m == "PATCH"] == [503, 503, 202]


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        pytest.param(Fault(status=500, count=1000, method="PATCH"), 503, "upstream_unavailable", id="5xx"),
        pytest.param(Fault(hang_seconds=30, count=10, method="PATCH"), 504, "upstream_timeout", id="hang"),
    ],
)
def test_failures_that_outlast_the_budget_are_answered_within_it(
    stack: LocalStack, fault: Fault, status: int, code: str
) -> None:
    stack.configure(REQUEST_BUDGET_SECONDS="2")
    stack.emulator.inject_fault(fault)

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == status
    assert response_body(response)["code"] == code
    assert stack.last_duration < 2.0


def test_lambdas_remaining_time_bounds_the_budget_too(stack: LocalStack) -> None:
    stack.emulator.inject_fault(Fault(hang_seconds=30, count=10, method="PATCH"))

    response = stack.invoke(api_event("rest"), timeout_seconds=1.5)

    assert response["statusCode"] == 504
    assert stack.last_duration < 1.5
