"""The client secret and access tokens never reach a log line, a metric or an answer."""

from __future__ import annotations

import io
import json

import pytest

from genesys_emulator import Fault
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.logic.health_check import Unhealthy
from participant_data.observability import logger
from tests.events import api_event, event
from tests.integration.conftest import CLIENT_SECRET, LocalStack


def test_nothing_secret_in_logs_metrics_or_answers_across_every_path(
    stack: LocalStack, captured_logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    logger.setLevel("DEBUG")  # the most the service ever logs
    answers: list[str] = []

    def run(request: dict[str, object]) -> None:
        try:
            answers.append(json.dumps(stack.invoke(request)))
        except (DataActionFailed, Unhealthy) as error:
            answers.append(str(error))

    run(api_event("rest"))
    run(api_event("http", base64_body=True))
    run(event("direct-invocation"))
    run(event("scheduled"))
    stack.emulator.revoke_tokens()
    run(api_event("rest"))
    stack.rotate_secret("rotated-secret-Kp09")
    stack.emulator.revoke_tokens()
    run(api_event("rest"))
    stack.emulator.inject_fault(Fault(status=429, count=1, retry_after=60))
    run(api_event("rest"))
    stack.emulator.inject_fault(Fault(status=503, count=1))
    run(api_event("rest"))
    run(api_event("rest", body={"attributes": {"a": None}}))
    bad = event("direct-invocation")
    bad["attributes"] = {}
    run(bad)
    stack.emulator.rotate_client_secret("participant-data-client", "nobody-knows")
    stack.emulator.revoke_tokens()
    run(event("scheduled"))

    everything = captured_logs.getvalue() + capsys.readouterr().out + "\n".join(answers)
    secrets = [CLIENT_SECRET, "rotated-secret-Kp09", "nobody-knows", *stack.emulator.issued_tokens]
    assert len(stack.emulator.issued_tokens) >= 2
    assert "Request failed" in everything  # the capture really holds the service's logs
    leaked = [secret for secret in secrets if secret in everything]
    logger.setLevel("INFO")
    assert leaked == []
