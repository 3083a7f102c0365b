"""The scheduled health check over real HTTP: secret, token, and the conversation read callers depend on.

The check reads a conversation that does not exist: 404 means the token works and the role may read
conversations (healthy); 403 means the role lost that permission (unhealthy). The HealthCheckHealthy
metric is read where CloudWatch reads it: the EMF lines the real handler prints on stdout.
"""

from __future__ import annotations

import json

import pytest

from genesys_emulator import Fault
from participant_data.genesys.gateway import HEALTH_PROBE_CONVERSATION_ID
from participant_data.logic.health_check import Unhealthy
from participant_data.observability import MetricName
from tests.events import event
from tests.integration.conftest import CLIENT_ID, LocalStack

PROBE = f"/api/v2/conversations/{HEALTH_PROBE_CONVERSATION_ID}"


def health_metric(capsys: pytest.CaptureFixture[str]) -> list[float]:
    """Every HealthCheckHealthy value the handler emitted."""
    values: list[float] = []
    for line in capsys.readouterr().out.splitlines():
        if '"_aws"' in line and MetricName.HEALTH_CHECK_HEALTHY in (document := json.loads(line)):
            value = document[MetricName.HEALTH_CHECK_HEALTHY]
            values.extend(value if isinstance(value, list) else [value])
    return values


def test_healthy_when_the_made_up_conversation_is_not_found(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stack.invoke(event("scheduled")) == {"healthy": True}

    assert [(r.method, r.path, r.status) for r in stack.emulator.requests] == [
        ("POST", "/oauth/token", 200),
        ("GET", PROBE, 404),  # one Genesys request: no HEAD /api/v2/tokens/me any more
    ]
    assert health_metric(capsys) == [1.0]


def test_unhealthy_when_the_role_may_no_longer_read_conversations(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.emulator.inject_fault(
        Fault(status=403, count=1000, method="GET", path_prefix="/api/v2/conversations")
    )

    with pytest.raises(Unhealthy, match=r"genesys_forbidden: .*conversation:communication:view"):
        stack.invoke(event("scheduled"))

    assert [(r.path, r.status) for r in stack.emulator.requests if r.method == "GET"] == [(PROBE, 403)]
    assert health_metric(capsys) == [0.0]


def test_unhealthy_when_genesys_keeps_failing(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.configure(REQUEST_BUDGET_SECONDS="1")
    stack.emulator.inject_fault(Fault(status=503, count=1000, path_prefix="/api/v2/conversations"))

    with pytest.raises(Unhealthy, match="upstream_unavailable"):
        stack.invoke(event("scheduled"))
    assert health_metric(capsys) == [0.0]


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
