"""The fault matrix, over real HTTP: what Genesys, its token endpoint and Secrets Manager can do, and what
the caller sees (the cases and why their counts are exact: tests/faults/cases.py).

Each case runs the real handler once (a cold container doing one PATCH of the sample event, unless the
case warms it first) against the emulator and moto_server, or against a stand-in that refuses, hangs or
fails, then waits until every request the emulator is still holding has ended. Every case asserts exactly:

- the status and the body: the success body, or the error body with the case's code (and, after a 429
  with Retry-After, `retryAfterSeconds`), and the Retry-After header or its absence;
- the requests Secrets Manager, the token endpoint and the Platform API received, and the retries the
  service logged, by reason;
- the PATCHes Genesys applied, and what became of the write: applied (the participant holds exactly the
  sent keys and what it had), not applied (it holds only what it had), or applied although the caller was
  answered a failure; no PATCH ever carries `{}`;
- whether a warm container served its cached secret (the warning, once, with the re-read's failure).

And, with bounds rather than exact figures: the answer came within the budget, no request to Genesys
started after the budget's end, and a warm container that served its cached secret answered within the
attempt timeout plus a wide margin.

Each case's measured outcome is written to faults.json, marked verified only once all of the above held;
scripts/render_reliability.py renders it into docs/reliability.md and refuses a file with a case that
failed.
"""

from __future__ import annotations

import io
import json
import socket
import time
from typing import Any

import pytest

from genesys_emulator import RecordedRequest
from tests.events import CONVERSATION, PARTICIPANT, api_event, response_body, response_header
from tests.faults.cases import (
    ATTEMPT_TIMEOUT_SECONDS,
    BUDGET_SECONDS,
    CASES,
    CONNECT_TIMEOUT_SECONDS,
    PATCH,
    TOKEN,
    FaultCase,
    Scene,
    Write,
)
from tests.faults.conftest import ConnectBlackhole, SilentServer
from tests.integration.conftest import LocalStack
from tests.integration.relay import Relay

BEFORE = {"existing": "kept"}
SENT = {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": "5"}
AFTER = {**BEFORE, **SENT}
SUCCESS = {
    "conversationId": CONVERSATION,
    "participantId": PARTICIPANT,
    "updatedKeys": list(SENT),
    "updatedCount": 3,
    "queued": False,
}
STALE_WARNING = "Re-reading the Genesys secret failed: serving the cached credentials"
# How long a held request may take to end after the answer: the longest hold plus a wide margin.
HELD_REQUESTS_WAIT_SECONDS = 15.0


def _faults_left(stack: LocalStack) -> int:
    return sum(fault.count for fault in stack.emulator.faults)


def _when_held_requests_end(stack: LocalStack, faults_used: int) -> list[RecordedRequest]:
    """The emulator's recorded requests once every faulted request has been recorded: a held request is
    recorded only when its hold ends, and a held PATCH without a status is applied then."""
    give_up_at = time.monotonic() + HELD_REQUESTS_WAIT_SECONDS
    while True:
        recorded = stack.emulator.requests
        if sum(1 for r in recorded if r.fault) >= faults_used:
            return recorded
        if time.monotonic() > give_up_at:
            pytest.fail(f"{faults_used} faulted requests were taken, {len(recorded)} recorded after the wait")
        time.sleep(0.05)


def _log_records(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _write(status: int, applied: int, attributes: dict[str, str]) -> str:
    """What became of the write, from the answer, the applied PATCHes and the participant's attributes."""
    if applied == 0 and attributes == BEFORE:
        return Write.NOT_APPLIED
    if applied > 0 and attributes == AFTER:
        return Write.APPLIED if status == 200 else Write.APPLIED_ANSWERED_FAILURE
    return f"inconsistent: {applied} applied, the participant holds {sorted(attributes)}"


@pytest.mark.integration
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fault(
    stack: LocalStack,
    captured_logs: io.StringIO,
    request: pytest.FixtureRequest,
    fault_results: list[dict[str, Any]],
    case: FaultCase,
) -> None:
    relay = Relay(stack.moto.port)  # Secrets Manager, counted
    request.addfinalizer(relay.close)
    stack.configure(
        **{
            "REQUEST_BUDGET_SECONDS": str(BUDGET_SECONDS),
            "CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT_SECONDS),
            "ATTEMPT_TIMEOUT_SECONDS": str(ATTEMPT_TIMEOUT_SECONDS),
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": relay.url,
            **case.settings,
        }
    )
    injected = case.setup(Scene(stack, request, relay))
    secrets_manager = injected.secrets_manager or relay
    secrets_before = secrets_manager.requests
    faults_before = _faults_left(stack)
    logs_from = len(captured_logs.getvalue())  # a warm-up's lines are not the case's
    started_epoch = time.time()

    response = stack.invoke(api_event("rest"), timeout_seconds=25)

    seconds = stack.last_duration
    attributes_at_answer = stack.attributes()
    body = response_body(response)
    recorded = _when_held_requests_end(stack, faults_before - _faults_left(stack))
    logs = _log_records(captured_logs.getvalue()[logs_from:])
    applied = sum(1 for r in recorded if r.method == "PATCH" and r.path.startswith(PATCH) and r.status == 202)
    attributes = stack.attributes()
    row: dict[str, Any] = {
        "case": case.name,
        "group": case.group,
        "fault": injected.what,
        "settings": case.settings,
        "status": response["statusCode"],
        "code": body.get("code") if response["statusCode"] != 200 else None,
        "retry_after": response_header(response, "Retry-After"),
        "secrets_requests": secrets_manager.requests - secrets_before,
        "token_requests": sum(1 for r in recorded if r.path.startswith(TOKEN)),
        "api_requests": sum(1 for r in recorded if r.path.startswith("/api/v2")),
        "patches_applied": applied,
        "write": _write(response["statusCode"], applied, attributes),
        "retries": [r.get("retry_reason") for r in logs if r.get("message") == "Retrying an outbound call"],
        "stale_secret": [r.get("secret_reread_failure") for r in logs if r.get("message") == STALE_WARNING],
        "seconds": round(seconds, 3),
        "budget_seconds": case.budget_seconds,
        "cases_in_matrix": len(CASES),
        "verified": False,
    }
    fault_results.append(row)
    expect = case.expect

    assert response["statusCode"] == expect.status, body
    if expect.code is None:
        assert body == SUCCESS
    else:
        assert isinstance(body.get("message"), str), body
        retry_after = {} if expect.retry_after is None else {"retryAfterSeconds": int(expect.retry_after)}
        assert {name: value for name, value in body.items() if name != "message"} == {
            "code": expect.code,
            **retry_after,
        }
    assert row["retry_after"] == expect.retry_after
    assert row["secrets_requests"] == expect.secrets_requests
    assert row["token_requests"] == expect.token_requests
    assert row["api_requests"] == expect.api_requests
    assert row["retries"] == list(expect.retries)
    assert row["stale_secret"] == ([] if expect.stale_secret is None else [expect.stale_secret])
    assert applied == expect.patches_applied
    assert row["write"] == expect.write
    assert not any(r.empty_attributes for r in recorded)
    if expect.status == 200:
        assert attributes_at_answer == AFTER, "answered 200 before the write was on the participant"
    assert seconds < case.budget_seconds, f"answered after {seconds:.2f} s"
    assert all(r.started_at < started_epoch + case.budget_seconds for r in recorded), (
        "a request started after the budget's end"
    )
    if expect.stale_secret is not None:
        # One bounded re-read attempt, then the PATCH: well within the attempt timeout plus a wide margin.
        assert seconds < ATTEMPT_TIMEOUT_SECONDS + 1.5
    row["verified"] = True


def test_a_connect_blackhole_really_hangs_a_connect_on_loopback(blackhole: ConnectBlackhole) -> None:
    """The 'hang at connect' case is real: a connect to the port times out instead of being refused."""
    probe = socket.socket()
    probe.settimeout(0.3)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        probe.connect(("127.0.0.1", blackhole.port))
    probe.close()
    assert time.monotonic() - started >= 0.29


def test_the_silent_server_reads_counts_and_never_answers(silent_server: SilentServer) -> None:
    with socket.create_connection(("127.0.0.1", silent_server.port), timeout=1) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.settimeout(0.3)
        with pytest.raises(TimeoutError):
            connection.recv(1)
    assert silent_server.requests == 1
