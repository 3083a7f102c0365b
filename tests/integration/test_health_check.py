"""The scheduled health check over real HTTP: secret, token and an authenticated Genesys call."""

from __future__ import annotations

import pytest

from genesys_emulator import Fault
from participant_data.logic.health_check import Unhealthy
from tests.events import event
from tests.integration.conftest import CLIENT_ID, LocalStack


def test_healthy_when_the_secret_token_and_genesys_all_work(stack: LocalStack) -> None:
    assert stack.invoke(event("scheduled")) == {"healthy": True}

    assert [(r.method, r.path) for r in stack.emulator.requests] == [
        ("POST", "/oauth/token"),
        ("HEAD", "/api/v2/tokens/me"),
    ]


def test_unhealthy_when_genesys_keeps_failing(stack: LocalStack) -> None:
    stack.configure(REQUEST_BUDGET_SECONDS="1")
    stack.emulator.inject_fault(Fault(status=503, count=1000, path_prefix="/api/v2/tokens/me"))

    with pytest.raises(Unhealthy, match="upstream_unavailable"):
        stack.invoke(event("scheduled"))


def test_unhealthy_when_the_credentials_are_rejected(stack: LocalStack) -> None:
    stack.emulator.rotate_client_secret(CLIENT_ID, "changed-in-genesys-only")

    with pytest.raises(Unhealthy, match="genesys_credentials_rejected"):
        stack.invoke(event("scheduled"))


def test_unhealthy_when_the_secret_does_not_exist(stack: LocalStack) -> None:
    stack.configure(GENESYS_SECRET_ID="genesys/no-such-secret")

    with pytest.raises(
        Unhealthy, match="service_misconfigured: The secret genesys/no-such-secret does not exist"
    ):
        stack.invoke(event("scheduled"))
    assert stack.emulator.requests == []
