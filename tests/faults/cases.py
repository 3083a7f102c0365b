"""The fault matrix's cases: what is done to Genesys, its token endpoint or Secrets Manager, and exactly
what must follow (tests/faults/test_fault_matrix.py runs them).

Every count is exact. Where timing could change one, the timings are set seconds apart, so that only a
machine stalled for seconds could change it, and the case says why. The settings that make it so:

- three 1 s attempts and their backoffs (at most 0.1 s, then 0.2 s) take at most 3.3 s, and the
  deadline is 5.5 s (a 6 s budget less the 0.5 s response margin): MAX_ATTEMPTS, not the clock, decides
  how many attempts a call makes, unless the work before the call takes over 2 s (about 0.1 s here);
- a slow answer comes 0.25 s after the request, 0.75 s inside the attempt timeout;
- a held request ends 2 s after it arrived, 1 s after the service gave up on it; the test waits for every
  held request to end before it counts, so a write that lands after the answer is counted too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import pytest

from genesys_emulator import Fault
from tests.events import api_event
from tests.faults.conftest import ClosedPort, ConnectBlackhole, SilentServer
from tests.integration.conftest import AGENT, CLIENT_ID, CLIENT_SECRET, LocalStack
from tests.integration.relay import Relay

BUDGET_SECONDS = 6.0
CONNECT_TIMEOUT_SECONDS = 0.5
ATTEMPT_TIMEOUT_SECONDS = 1.0
MAX_ATTEMPTS = 3  # the default
SLOW_SECONDS = 0.25  # an answer this late still comes within the attempt timeout
HELD_SECONDS = 2.0  # a request held this long outlives the attempt that sent it
# A deadline of exactly two attempts (2.5 s less the 0.5 s margin): the second is cut short by the budget.
TWO_ATTEMPT_BUDGET_SECONDS = 2.5
WARM_SECRET_TTL_SECONDS = 0.5
MANY = 1000  # a fault that outlasts every attempt
PATCH = "/api/v2/conversations"
TOKEN = "/oauth/token"


class Write(StrEnum):
    """What became of the write, once every request the service sent has ended."""

    APPLIED = "applied"
    NOT_APPLIED = "not applied"
    # Genesys applied it, but its answer was lost (the attempt had given up): the caller got a failure.
    APPLIED_ANSWERED_FAILURE = "applied, answered failure"


@dataclass(frozen=True)
class Expect:
    """Exactly what a case must produce. Requests are those the server received: Secrets Manager
    (moto_server behind a counting relay, or the stand-in), Genesys's token endpoint and its Platform API
    (the emulator). `retries` are the service's "Retrying an outbound call" log lines, by reason: where
    nothing listens or the connect hangs they are the only count of attempts (retries + 1)."""

    status: int
    write: Write
    secrets_requests: int
    token_requests: int
    api_requests: int
    patches_applied: int  # PATCHes Genesys applied (answered 202, or applied after the service gave up)
    code: str | None = None  # the error body's code; None: the success body
    retry_after: str | None = None  # the answer's Retry-After header
    retries: tuple[str, ...] = ()
    # Logged once by a warm container that serves its cached secret: why the re-read failed. None: never.
    stale_secret: str | None = None


class RequestCounter(Protocol):
    requests: int


@dataclass(frozen=True)
class Injected:
    what: str
    secrets_manager: RequestCounter | None = None  # where Secrets Manager requests arrive; None: the relay


@dataclass(frozen=True)
class Scene:
    """What a setup works on: the stack, pytest's request (for stand-in fixtures), and the relay to
    moto_server that the service reaches Secrets Manager through unless the setup points it elsewhere."""

    stack: LocalStack
    request: pytest.FixtureRequest
    secrets_relay: Relay


Setup = Callable[[Scene], Injected]


@dataclass(frozen=True)
class FaultCase:
    name: str
    group: str
    setup: Setup
    expect: Expect
    settings: dict[str, str] = field(default_factory=dict)  # on top of the matrix's own

    @property
    def budget_seconds(self) -> float:
        return float(self.settings.get("REQUEST_BUDGET_SECONDS", BUDGET_SECONDS))


def retried(reason: str, times: int) -> tuple[str, ...]:
    return (reason,) * times


def inject(*faults: Fault) -> Setup:
    def setup(scene: Scene) -> Injected:
        for fault in faults:
            scene.stack.emulator.inject_fault(fault)
        return Injected("; ".join(describe(fault) for fault in faults))

    return setup


def describe(fault: Fault) -> str:
    parts = [f"{fault.method or 'any'} {fault.path_prefix or '*'}"]
    if fault.hang_seconds:
        parts.append(f"held {fault.hang_seconds:g} s")
    if fault.action:
        parts.append(fault.action)
    if fault.status:
        parts.append(f"then status {fault.status}" if fault.hang_seconds else f"status {fault.status}")
    if fault.retry_after is not None:
        parts.append(f"Retry-After {fault.retry_after}")
    parts.append("every time" if fault.count >= MANY else f"x{fault.count}")
    return ", ".join(parts)


def warm(scene: Scene) -> None:
    """One successful PATCH: the secret, the token and a pooled connection are then in the container.
    It writes to the agent, so that the customer participant shows only what the case's own PATCH did."""
    assert scene.stack.invoke(api_event("rest", participant_id=AGENT))["statusCode"] == 200
    scene.stack.emulator.clear_requests()


def warm_then(*faults: Fault) -> Setup:
    def setup(scene: Scene) -> Injected:
        warm(scene)
        return Injected("warm container; " + inject(*faults)(scene).what)

    return setup


def genesys_at(where: Callable[[Scene], int], what: str) -> Setup:
    """Point the secret's `environment` (Genesys's login and API base URL) somewhere else."""

    def setup(scene: Scene) -> Injected:
        stack = scene.stack
        stack.moto.put_genesys_secret(
            stack.secret_name, CLIENT_ID, CLIENT_SECRET, f"http://127.0.0.1:{where(scene)}"
        )
        return Injected(what)

    return setup


def _blackhole_port(scene: Scene) -> int:
    hole: ConnectBlackhole = scene.request.getfixturevalue("blackhole")
    return hole.port


def secrets_manager_at(fixture: str | None, what: str) -> Setup:
    """Point AWS_ENDPOINT_URL_SECRETS_MANAGER at a stand-in fixture, or (None) at a closed port."""

    def setup(scene: Scene) -> Injected:
        stand_in: SilentServer | ClosedPort = (
            ClosedPort() if fixture is None else scene.request.getfixturevalue(fixture)
        )
        scene.stack.configure(AWS_ENDPOINT_URL_SECRETS_MANAGER=stand_in.url)
        return Injected(what, stand_in)

    return setup


def secret_string(value: str, what: str) -> Setup:
    def setup(scene: Scene) -> Injected:
        scene.stack.moto.secrets_client().put_secret_value(
            SecretId=scene.stack.secret_name, SecretString=value
        )
        return Injected(what)

    return setup


def missing_secret(scene: Scene) -> Injected:
    scene.stack.configure(GENESYS_SECRET_ID="genesys/no-such-secret")
    return Injected("GENESYS_SECRET_ID names a secret that does not exist")


def warm_then_secrets_manager(switch: str, what: str) -> Setup:
    """A container warmed by one PATCH with a short secret TTL; then the relay to moto_server is switched
    (`hang` or `refuse`) and the TTL runs out, so the next request re-reads the secret."""

    def setup(scene: Scene) -> Injected:
        scene.stack.configure(SECRET_CACHE_TTL_SECONDS=str(WARM_SECRET_TTL_SECONDS))
        warm(scene)
        getattr(scene.secrets_relay, switch)()
        time.sleep(WARM_SECRET_TTL_SECONDS)
        return Injected(what)

    return setup


def _emulator_json(**fields: str) -> str:
    return json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **fields})


GENESYS_API = "Genesys API"
GENESYS_LOGIN = "Genesys login"
SECRETS_MANAGER = "Secrets Manager"
SECRETS_MANAGER_WARM = "Secrets Manager, warm container"

CASES = [
    # --- Genesys Platform API: a cold container reads the secret, gets a token, then PATCHes ---------------
    *(
        FaultCase(
            f"Genesys {s} once",
            GENESYS_API,
            inject(Fault(status=s, method="PATCH")),
            Expect(
                200,
                Write.APPLIED,
                secrets_requests=1,
                token_requests=1,
                api_requests=2,
                patches_applied=1,
                retries=(f"genesys:{s}",),
            ),
        )
        for s in (500, 502, 503, 504)
    ),
    *(
        FaultCase(
            f"Genesys {s} always",
            GENESYS_API,
            inject(Fault(status=s, count=MANY, method="PATCH")),
            Expect(
                503,
                Write.NOT_APPLIED,
                code="upstream_unavailable",
                secrets_requests=1,
                token_requests=1,
                api_requests=MAX_ATTEMPTS,
                patches_applied=0,
                retries=retried(f"genesys:{s}", 2),
            ),
        )
        for s in (500, 502, 503, 504)
    ),
    FaultCase(
        # The 1 s wait fits: the retry starts about 1.2 s in, the deadline is at 5.5 s.
        "429, short Retry-After (1 s), once",
        GENESYS_API,
        inject(Fault(status=429, retry_after=1, method="PATCH")),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=1,
            api_requests=2,
            patches_applied=1,
            retries=("genesys:429",),
        ),
    ),
    FaultCase(
        # One 3 s wait fits (the 429 comes about 0.2 s in, the deadline is at 5.5 s); a second one would
        # end past 6 s whatever the machine does: the budget, not MAX_ATTEMPTS, stops the retries.
        "429, Retry-After 3 s, always: one wait fits the budget",
        GENESYS_API,
        inject(Fault(status=429, retry_after=3, count=MANY, method="PATCH")),
        Expect(
            429,
            Write.NOT_APPLIED,
            code="genesys_rate_limited",
            retry_after="3",
            secrets_requests=1,
            token_requests=1,
            api_requests=2,
            patches_applied=0,
            retries=("genesys:429",),
        ),
    ),
    FaultCase(
        "429, long Retry-After (60 s)",
        GENESYS_API,
        inject(Fault(status=429, retry_after=60, method="PATCH")),
        Expect(
            429,
            Write.NOT_APPLIED,
            code="genesys_rate_limited",
            retry_after="60",
            secrets_requests=1,
            token_requests=1,
            api_requests=1,
            patches_applied=0,
        ),
    ),
    FaultCase(
        "429 without Retry-After, once",
        GENESYS_API,
        inject(Fault(status=429, method="PATCH")),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=1,
            api_requests=2,
            patches_applied=1,
            retries=("genesys:429",),
        ),
    ),
    FaultCase(
        "429 without Retry-After, always",
        GENESYS_API,
        inject(Fault(status=429, count=MANY, method="PATCH")),
        Expect(
            429,
            Write.NOT_APPLIED,
            code="genesys_rate_limited",
            secrets_requests=1,
            token_requests=1,
            api_requests=MAX_ATTEMPTS,
            patches_applied=0,
            retries=retried("genesys:429", 2),
        ),
    ),
    FaultCase(
        # The emulator's reset stands for a gateway failing before the endpoint: the reset PATCH is never
        # applied (docs/emulator.md, "Fault injection").
        "connection reset mid-response, once",
        GENESYS_API,
        inject(Fault(action="reset", method="PATCH")),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=1,
            api_requests=2,
            patches_applied=1,
            retries=("genesys:connection",),
        ),
    ),
    FaultCase(
        "connection reset mid-response, always",
        GENESYS_API,
        inject(Fault(action="reset", count=MANY, method="PATCH")),
        Expect(
            503,
            Write.NOT_APPLIED,
            code="upstream_unavailable",
            secrets_requests=1,
            token_requests=1,
            api_requests=MAX_ATTEMPTS,
            patches_applied=0,
            retries=retried("genesys:connection", 2),
        ),
    ),
    FaultCase(
        "slow answer (0.25 s, within the 1 s attempt timeout)",
        GENESYS_API,
        inject(Fault(hang_seconds=SLOW_SECONDS, method="PATCH")),
        Expect(200, Write.APPLIED, secrets_requests=1, token_requests=1, api_requests=1, patches_applied=1),
    ),
    FaultCase(
        # The first PATCH is applied 2 s after it arrived, 1 s after the service gave up on it and after
        # its retry was applied and answered: two writes of the same values.
        "answer lost: PATCH applied 2 s late, once",
        GENESYS_API,
        inject(Fault(hang_seconds=HELD_SECONDS, method="PATCH")),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=1,
            api_requests=2,
            patches_applied=2,
            retries=("genesys:timeout",),
        ),
    ),
    FaultCase(
        # Every attempt gives up after 1 s; each PATCH is applied 1 s later. The caller gets 504 for a
        # write that Genesys applied three times.
        "answer lost: PATCH applied 2 s late, always",
        GENESYS_API,
        inject(Fault(hang_seconds=HELD_SECONDS, count=MANY, method="PATCH")),
        Expect(
            504,
            Write.APPLIED_ANSWERED_FAILURE,
            code="upstream_timeout",
            secrets_requests=1,
            token_requests=1,
            api_requests=MAX_ATTEMPTS,
            patches_applied=MAX_ATTEMPTS,
            retries=retried("genesys:timeout", 2),
        ),
    ),
    FaultCase(
        # The same answer as the case above, for a write that never happened: a 504 says nothing either way.
        "no answer and no write (held 2 s, then 504), always",
        GENESYS_API,
        inject(Fault(hang_seconds=HELD_SECONDS, status=504, count=MANY, method="PATCH")),
        Expect(
            504,
            Write.NOT_APPLIED,
            code="upstream_timeout",
            secrets_requests=1,
            token_requests=1,
            api_requests=MAX_ATTEMPTS,
            patches_applied=0,
            retries=retried("genesys:timeout", 2),
        ),
    ),
    FaultCase(
        # A warm container starts its PATCH at once, so the first attempt ends 1 s in and the second,
        # begun by 1.1 s, is cut short by the deadline at 2 s: no time is left for a third.
        "no answer and no write, always: the budget ends the second attempt",
        GENESYS_API,
        warm_then(Fault(hang_seconds=HELD_SECONDS, status=504, count=MANY, method="PATCH")),
        Expect(
            504,
            Write.NOT_APPLIED,
            code="upstream_timeout",
            secrets_requests=0,
            token_requests=0,
            api_requests=2,
            patches_applied=0,
            retries=("genesys:timeout",),
        ),
        settings={"REQUEST_BUDGET_SECONDS": str(TWO_ATTEMPT_BUDGET_SECONDS)},
    ),
    FaultCase(
        "connection refused (login and API)",
        GENESYS_API,
        genesys_at(lambda _: ClosedPort().port, "Genesys base URL on a closed loopback port"),
        Expect(
            503,
            Write.NOT_APPLIED,
            code="upstream_unavailable",
            secrets_requests=1,
            token_requests=0,
            api_requests=0,
            patches_applied=0,
            retries=retried("genesys:connection", 2),
        ),
    ),
    FaultCase(
        # Three 0.5 s connect timeouts and their backoffs: 1.8 s at most.
        "hang at connect (login and API)",
        GENESYS_API,
        genesys_at(_blackhole_port, "Genesys base URL on a port whose accept queue is full"),
        Expect(
            504,
            Write.NOT_APPLIED,
            code="upstream_timeout",
            secrets_requests=1,
            token_requests=0,
            api_requests=0,
            patches_applied=0,
            retries=retried("genesys:timeout", 2),
        ),
    ),
    # --- Genesys login (the token endpoint) ----------------------------------------------------------------
    FaultCase(
        "token endpoint answers invalid JSON",
        GENESYS_LOGIN,
        inject(Fault(action="malformed_json", path_prefix=TOKEN)),
        Expect(
            502,
            Write.NOT_APPLIED,
            code="genesys_bad_response",
            secrets_requests=1,
            token_requests=1,
            api_requests=0,
            patches_applied=0,
        ),
    ),
    FaultCase(
        "token endpoint down (503), once",
        GENESYS_LOGIN,
        inject(Fault(status=503, path_prefix=TOKEN)),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=2,
            api_requests=1,
            patches_applied=1,
            retries=("genesys:503",),
        ),
    ),
    FaultCase(
        "token endpoint down (503), always",
        GENESYS_LOGIN,
        inject(Fault(status=503, count=MANY, path_prefix=TOKEN)),
        Expect(
            503,
            Write.NOT_APPLIED,
            code="upstream_unavailable",
            secrets_requests=1,
            token_requests=MAX_ATTEMPTS,
            api_requests=0,
            patches_applied=0,
            retries=retried("genesys:503", 2),
        ),
    ),
    FaultCase(
        "token endpoint slow (0.25 s, within the 1 s attempt timeout)",
        GENESYS_LOGIN,
        inject(Fault(hang_seconds=SLOW_SECONDS, path_prefix=TOKEN)),
        Expect(200, Write.APPLIED, secrets_requests=1, token_requests=1, api_requests=1, patches_applied=1),
    ),
    FaultCase(
        # The held token request still issues a token, 1 s after the service stopped waiting for it.
        "token endpoint holds its answer 2 s, once",
        GENESYS_LOGIN,
        inject(Fault(hang_seconds=HELD_SECONDS, path_prefix=TOKEN)),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=2,
            api_requests=1,
            patches_applied=1,
            retries=("genesys:timeout",),
        ),
    ),
    FaultCase(
        "token endpoint holds its answer 2 s, always",
        GENESYS_LOGIN,
        inject(Fault(hang_seconds=HELD_SECONDS, count=MANY, path_prefix=TOKEN)),
        Expect(
            504,
            Write.NOT_APPLIED,
            code="upstream_timeout",
            secrets_requests=1,
            token_requests=MAX_ATTEMPTS,
            api_requests=0,
            patches_applied=0,
            retries=retried("genesys:timeout", 2),
        ),
    ),
    # --- AWS Secrets Manager, cold container: Genesys must not be called without credentials --------------
    FaultCase(
        "Secrets Manager down (connection refused)",
        SECRETS_MANAGER,
        secrets_manager_at(None, "AWS_ENDPOINT_URL_SECRETS_MANAGER on a closed loopback port"),
        Expect(
            503,
            Write.NOT_APPLIED,
            code="upstream_unavailable",
            secrets_requests=0,
            token_requests=0,
            api_requests=0,
            patches_applied=0,
            retries=retried("secretsmanager:connection", 2),
        ),
    ),
    FaultCase(
        # Three 1 s reads and their backoffs end by 3.3 s after the client is built: the deadline is 5.5 s.
        "Secrets Manager slow (never answers)",
        SECRETS_MANAGER,
        secrets_manager_at("silent_server", "a loopback server that reads each request and never answers"),
        Expect(
            504,
            Write.NOT_APPLIED,
            code="upstream_timeout",
            secrets_requests=MAX_ATTEMPTS,
            token_requests=0,
            api_requests=0,
            patches_applied=0,
            retries=retried("secretsmanager:timeout", 2),
        ),
    ),
    FaultCase(
        "Secrets Manager erroring (HTTP 500)",
        SECRETS_MANAGER,
        secrets_manager_at("failing_server", "a loopback server answering 500 InternalServiceError"),
        Expect(
            503,
            Write.NOT_APPLIED,
            code="upstream_unavailable",
            secrets_requests=MAX_ATTEMPTS,
            token_requests=0,
            api_requests=0,
            patches_applied=0,
            retries=retried("secretsmanager:InternalServiceError", 2),
        ),
    ),
    *(
        FaultCase(
            name,
            SECRETS_MANAGER,
            setup,
            Expect(
                500,
                Write.NOT_APPLIED,
                code="service_misconfigured",
                secrets_requests=1,
                token_requests=0,
                api_requests=0,
                patches_applied=0,
            ),
        )
        for name, setup in (
            ("secret missing", missing_secret),
            (
                "secret is not JSON",
                secret_string("client_id=x;client_secret=y", "SecretString that is not JSON"),
            ),
            (
                "secret lacks client_secret",
                secret_string(
                    json.dumps({"client_id": CLIENT_ID, "environment": "mypurecloud.com"}),
                    "no client_secret field",
                ),
            ),
            (
                "secret's environment not a Genesys region",
                secret_string(
                    _emulator_json(environment="http://evil.example.com"), "environment on a foreign host"
                ),
            ),
        )
    ),
    # --- AWS Secrets Manager failing when a warm container's secret cache expires: the cached credentials
    # serve, after one re-read attempt
    FaultCase(
        "Secrets Manager down past the TTL",
        SECRETS_MANAGER_WARM,
        warm_then_secrets_manager("refuse", "secret read through a relay, then the relay's port closed"),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=0,
            token_requests=0,
            api_requests=1,
            patches_applied=1,
            stale_secret="secretsmanager:connection",
        ),
    ),
    FaultCase(
        # One re-read attempt, bounded by the 1 s attempt timeout (half the time left would be 2.75 s).
        "Secrets Manager hangs past the TTL",
        SECRETS_MANAGER_WARM,
        warm_then_secrets_manager("hang", "secret read through a relay, then the relay swallows requests"),
        Expect(
            200,
            Write.APPLIED,
            secrets_requests=1,
            token_requests=0,
            api_requests=1,
            patches_applied=1,
            stale_secret="secretsmanager:timeout",
        ),
    ),
]
