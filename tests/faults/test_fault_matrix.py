"""The fault matrix, over real HTTP: what Genesys, its token endpoint and Secrets Manager can do, and what
the caller sees.

Each case runs the real handler once (a cold container, then one PATCH of the sample event; in the group
"Secrets Manager, warm container", a container warmed by one such PATCH whose secret cache has since
expired) against the emulator and moto_server, or against a stand-in that refuses, hangs or fails. Every
case asserts:

- the status and code the caller gets;
- the answer comes within the budget (REQUEST_BUDGET_SECONDS), and no request to Genesys starts after
  the budget's deadline (retries never outlast it);
- no call is attempted more than MAX_ATTEMPTS times (at most that many token requests and API requests);
- at most one PATCH is applied, and when the answer is 200 the participant holds exactly the sent keys
  (a retried PATCH is a per-key merge of the same values: never a second, different write; never `{}`).

The measured outcome of each case is written to faults.json, which scripts/render_reliability.py turns
into the tables of docs/reliability.md.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from genesys_emulator import Fault
from tests.events import api_event, response_body, response_header
from tests.faults.conftest import ConnectBlackhole, SilentServer, closed_port
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, LocalStack
from tests.integration.relay import Relay

# The defaults scaled down together: a 10 s budget with 3 s attempts becomes 3 s with 1 s attempts.
BUDGET_SECONDS = 3.0
CONNECT_TIMEOUT_SECONDS = 0.5
ATTEMPT_TIMEOUT_SECONDS = 1.0
WARM_SECRET_TTL_SECONDS = 0.5
MAX_ATTEMPTS = 3  # the default
STALE_WARNING = "Re-reading the Genesys secret failed: serving the cached credentials"
SENT = {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": "5"}
PATCH = "/api/v2/conversations"
TOKEN = "/oauth/token"

Setup = Callable[[LocalStack, pytest.FixtureRequest], str]


@dataclass(frozen=True)
class FaultCase:
    name: str
    group: str
    setup: Setup  # injects the fault; returns a description of what was done
    status: int
    code: str | None  # None: a success (200)


def inject(*faults: Fault) -> Setup:
    def setup(stack: LocalStack, _: pytest.FixtureRequest) -> str:
        for fault in faults:
            stack.emulator.inject_fault(fault)
        return "; ".join(_describe(fault) for fault in faults)

    return setup


def _describe(fault: Fault) -> str:
    parts = [f"{fault.method or 'any'} {fault.path_prefix or '*'}"]
    if fault.action:
        parts.append(fault.action)
    if fault.status:
        parts.append(f"status {fault.status}")
    if fault.retry_after is not None:
        parts.append(f"Retry-After {fault.retry_after}")
    if fault.hang_seconds:
        parts.append(f"hang {fault.hang_seconds:g} s")
    parts.append(f"x{fault.count}")
    return ", ".join(parts)


def genesys_at(where: Callable[[pytest.FixtureRequest], int], what: str) -> Setup:
    """Point the secret's `environment` (Genesys's login and API base URL) somewhere else."""

    def setup(stack: LocalStack, request: pytest.FixtureRequest) -> str:
        port = where(request)
        stack.moto.put_genesys_secret(stack.secret_name, CLIENT_ID, CLIENT_SECRET, f"http://127.0.0.1:{port}")
        return what

    return setup


def secrets_manager_at(fixture: str | None, what: str) -> Setup:
    def setup(stack: LocalStack, request: pytest.FixtureRequest) -> str:
        url = f"http://127.0.0.1:{closed_port()}" if fixture is None else request.getfixturevalue(fixture).url
        stack.configure(AWS_ENDPOINT_URL_SECRETS_MANAGER=url)
        return what

    return setup


def secret_string(value: str, what: str) -> Setup:
    def setup(stack: LocalStack, _: pytest.FixtureRequest) -> str:
        stack.moto.secrets_client().put_secret_value(SecretId=stack.secret_name, SecretString=value)
        return what

    return setup


def warm_then_secrets_manager(switch: str, what: str) -> Setup:
    """A container warmed by one PATCH with the secret read through a relay to moto_server; then the relay
    is switched (`hang` or `refuse`) and the secret cache's TTL runs out."""

    def setup(stack: LocalStack, request: pytest.FixtureRequest) -> str:
        relay = Relay(stack.moto.port)
        request.addfinalizer(relay.close)
        stack.configure(
            AWS_ENDPOINT_URL_SECRETS_MANAGER=relay.url, SECRET_CACHE_TTL_SECONDS=str(WARM_SECRET_TTL_SECONDS)
        )
        assert stack.invoke(api_event("rest"))["statusCode"] == 200
        getattr(relay, switch)()
        time.sleep(WARM_SECRET_TTL_SECONDS)
        stack.emulator.clear_requests()
        return what

    return setup


def missing_secret(stack: LocalStack, _: pytest.FixtureRequest) -> str:
    stack.configure(GENESYS_SECRET_ID="genesys/no-such-secret")
    return "GENESYS_SECRET_ID names a secret that does not exist"


def _blackhole_port(request: pytest.FixtureRequest) -> int:
    hole: ConnectBlackhole = request.getfixturevalue("blackhole")
    return hole.port


def _emulator_json(**fields: Any) -> str:
    return json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **fields})


MANY = 1000  # a fault that outlasts any budget
CASES = [
    # Genesys Platform API
    *(
        FaultCase(f"Genesys {s} once", "Genesys API", inject(Fault(status=s, method="PATCH")), 200, None)
        for s in (500, 502, 503, 504)
    ),
    *(
        FaultCase(
            f"Genesys {s} always",
            "Genesys API",
            inject(Fault(status=s, count=MANY, method="PATCH")),
            503,
            "upstream_unavailable",
        )
        for s in (500, 502, 503, 504)
    ),
    FaultCase(
        "429, short Retry-After (1 s)",
        "Genesys API",
        inject(Fault(status=429, retry_after=1, method="PATCH")),
        200,
        None,
    ),
    FaultCase(
        "429, long Retry-After (60 s)",
        "Genesys API",
        inject(Fault(status=429, retry_after=60, method="PATCH")),
        429,
        "genesys_rate_limited",
    ),
    FaultCase(
        "429 without Retry-After, once",
        "Genesys API",
        inject(Fault(status=429, method="PATCH")),
        200,
        None,
    ),
    FaultCase(
        "429 without Retry-After, always",
        "Genesys API",
        inject(Fault(status=429, count=MANY, method="PATCH")),
        429,
        "genesys_rate_limited",
    ),
    FaultCase(
        "connection reset mid-response, once",
        "Genesys API",
        inject(Fault(action="reset", method="PATCH")),
        200,
        None,
    ),
    FaultCase(
        "connection reset mid-response, always",
        "Genesys API",
        inject(Fault(action="reset", count=MANY, method="PATCH")),
        503,
        "upstream_unavailable",
    ),
    FaultCase(
        "slow answer (0.5 s, within the attempt timeout)",
        "Genesys API",
        inject(Fault(hang_seconds=0.5, method="PATCH")),
        200,
        None,
    ),
    FaultCase(
        "hang at read (30 s), once",
        "Genesys API",
        inject(Fault(hang_seconds=30, method="PATCH")),
        200,
        None,
    ),
    FaultCase(
        "hang at read (30 s), always",
        "Genesys API",
        inject(Fault(hang_seconds=30, count=MANY, method="PATCH")),
        504,
        "upstream_timeout",
    ),
    FaultCase(
        "connection refused (login and API)",
        "Genesys API",
        genesys_at(lambda _: closed_port(), "Genesys base URL on a closed loopback port"),
        503,
        "upstream_unavailable",
    ),
    FaultCase(
        "hang at connect (login and API)",
        "Genesys API",
        genesys_at(_blackhole_port, "Genesys base URL on a port whose accept queue is full"),
        504,
        "upstream_timeout",
    ),
    # Genesys login (token endpoint)
    FaultCase(
        "token endpoint answers invalid JSON",
        "Genesys login",
        inject(Fault(action="malformed_json", path_prefix=TOKEN)),
        502,
        "genesys_bad_response",
    ),
    FaultCase(
        "token endpoint down (503), once",
        "Genesys login",
        inject(Fault(status=503, path_prefix=TOKEN)),
        200,
        None,
    ),
    FaultCase(
        "token endpoint down (503), always",
        "Genesys login",
        inject(Fault(status=503, count=MANY, path_prefix=TOKEN)),
        503,
        "upstream_unavailable",
    ),
    FaultCase(
        "token endpoint slow (0.5 s, within the attempt timeout)",
        "Genesys login",
        inject(Fault(hang_seconds=0.5, path_prefix=TOKEN)),
        200,
        None,
    ),
    FaultCase(
        "token endpoint hangs (30 s), once",
        "Genesys login",
        inject(Fault(hang_seconds=30, path_prefix=TOKEN)),
        200,
        None,
    ),
    FaultCase(
        "token endpoint hangs (30 s)",
        "Genesys login",
        inject(Fault(hang_seconds=30, count=MANY, path_prefix=TOKEN)),
        504,
        "upstream_timeout",
    ),
    # AWS Secrets Manager
    FaultCase(
        "Secrets Manager down (connection refused)",
        "Secrets Manager",
        secrets_manager_at(None, "AWS_ENDPOINT_URL_SECRETS_MANAGER on a closed loopback port"),
        503,
        "upstream_unavailable",
    ),
    FaultCase(
        "Secrets Manager slow (never answers)",
        "Secrets Manager",
        secrets_manager_at("silent_server", "a loopback server that reads the request and never answers"),
        504,
        "upstream_timeout",
    ),
    FaultCase(
        "Secrets Manager erroring (HTTP 500)",
        "Secrets Manager",
        secrets_manager_at("failing_server", "a loopback server answering 500 InternalServiceError"),
        503,
        "upstream_unavailable",
    ),
    FaultCase("secret missing", "Secrets Manager", missing_secret, 500, "service_misconfigured"),
    FaultCase(
        "secret is not JSON",
        "Secrets Manager",
        secret_string("client_id=x;client_secret=y", "SecretString that is not JSON"),
        500,
        "service_misconfigured",
    ),
    FaultCase(
        "secret lacks client_secret",
        "Secrets Manager",
        secret_string(
            json.dumps({"client_id": CLIENT_ID, "environment": "mypurecloud.com"}), "no client_secret field"
        ),
        500,
        "service_misconfigured",
    ),
    FaultCase(
        "secret's environment not a Genesys region",
        "Secrets Manager",
        secret_string(_emulator_json(environment="http://evil.example.com"), "environment on a foreign host"),
        500,
        "service_misconfigured",
    ),
    # AWS Secrets Manager failing when a warm container's secret cache expires: the cached credentials serve
    FaultCase(
        "Secrets Manager down past the TTL",
        "Secrets Manager, warm container",
        warm_then_secrets_manager("refuse", "secret read through a relay, then the relay's port closed"),
        200,
        None,
    ),
    FaultCase(
        "Secrets Manager hangs past the TTL",
        "Secrets Manager, warm container",
        warm_then_secrets_manager("hang", "secret read through a relay, then the relay swallows requests"),
        200,
        None,
    ),
]


def _queued(stack: LocalStack) -> dict[str, int]:
    """Remaining fault counts by target: "/oauth/token", or "/" for the Platform API."""
    counts: dict[str, int] = {}
    for fault in stack.emulator.faults:
        target = TOKEN if (fault.path_prefix or "").startswith(TOKEN) else "/"
        counts[target] = counts.get(target, 0) + fault.count
    return counts


def _logged(logs: io.StringIO, message: str) -> int:
    count = 0
    for line in logs.getvalue().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        count += record.get("message") == message
    return count


def _retries(logs: io.StringIO) -> int:
    return _logged(logs, "Retrying an outbound call")


@pytest.mark.integration
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fault(
    stack: LocalStack,
    captured_logs: io.StringIO,
    request: pytest.FixtureRequest,
    fault_results: list[dict[str, Any]],
    case: FaultCase,
) -> None:
    stack.configure(
        REQUEST_BUDGET_SECONDS=str(BUDGET_SECONDS),
        CONNECT_TIMEOUT_SECONDS=str(CONNECT_TIMEOUT_SECONDS),
        ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_TIMEOUT_SECONDS),
    )
    what = case.setup(stack, request)
    queued_before = _queued(stack)
    started_epoch = time.time()

    response = stack.invoke(api_event("rest"), timeout_seconds=25)

    seconds = stack.last_duration
    body = response_body(response)
    recorded = stack.emulator.requests
    # Requests a hang fault was still holding when the answer went out: consumed but not yet recorded.
    queued_after = _queued(stack)
    in_flight = {
        prefix: count
        - queued_after.get(prefix, 0)
        - sum(1 for r in recorded if r.fault and r.path.startswith(prefix))
        for prefix, count in queued_before.items()
    }
    applied = [r for r in recorded if r.method == "PATCH" and r.status == 202]
    fault_results.append(
        {
            "case": case.name,
            "group": case.group,
            "fault": what,
            "expected": f"{case.status} {case.code or 'ok'}",
            "status": response["statusCode"],
            "code": body.get("code", "ok"),
            "retry_after": response_header(response, "Retry-After"),
            "seconds": round(seconds, 3),
            "budget_seconds": BUDGET_SECONDS,
            "token_requests": sum(1 for r in recorded if r.path.startswith(TOKEN)) + in_flight.get(TOKEN, 0),
            "api_requests": sum(1 for r in recorded if r.path.startswith("/api/v2")) + in_flight.get("/", 0),
            "patches_applied": len(applied),
            "retries": _retries(captured_logs),
        }
    )

    assert response["statusCode"] == case.status, body
    assert body.get("code", None) == case.code or case.code is None
    assert seconds < BUDGET_SECONDS, f"answered after {seconds:.2f} s"
    assert all(r.started_at < started_epoch + BUDGET_SECONDS for r in recorded), (
        "a request outlived the budget"
    )
    assert len(applied) <= 1
    assert fault_results[-1]["token_requests"] <= MAX_ATTEMPTS
    assert fault_results[-1]["api_requests"] <= MAX_ATTEMPTS
    assert not any(r.empty_attributes for r in recorded)
    if case.status == 200:
        assert len(applied) == 1
        assert stack.attributes() == {"existing": "kept", **SENT}
    else:
        assert stack.attributes() == {"existing": "kept"} or len(applied) == 1
    if case.group == "Secrets Manager":
        assert recorded == [], "Genesys was called without credentials"
    if case.group == "Secrets Manager, warm container":
        assert _logged(captured_logs, STALE_WARNING) == 1
        assert seconds < ATTEMPT_TIMEOUT_SECONDS + 1.5  # one bounded re-read attempt at most
    if "hang at read (30 s), once" in case.name:
        assert fault_results[-1]["api_requests"] == 2  # the hung attempt, then its retry
    if "long Retry-After" in case.name:
        assert response_header(response, "Retry-After") == "60"
        assert len(recorded) == 2  # the token and one PATCH: the 60 s were not slept through


def test_a_connect_blackhole_really_hangs_a_connect_on_loopback(blackhole: ConnectBlackhole) -> None:
    """The 'hang at connect' case is real: a connect to the port times out instead of being refused."""
    import socket

    probe = socket.socket()
    probe.settimeout(0.3)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        probe.connect(("127.0.0.1", blackhole.port))
    probe.close()
    assert time.monotonic() - started >= 0.29


def test_the_silent_server_accepts_and_never_answers(silent_server: SilentServer) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", silent_server.port), timeout=1) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.settimeout(0.3)
        with pytest.raises(TimeoutError):
            connection.recv(1)
