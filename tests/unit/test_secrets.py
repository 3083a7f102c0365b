"""SecretStore with a scripted Secrets Manager client and an injected clock: caching, the stale-on-error
re-read after the TTL, forced reads, and the one kept client.

The same behaviours over real HTTP against moto_server: tests/integration/test_secret_stale.py.
"""

from __future__ import annotations

import io
import json
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from participant_data.deadline import Backoff, Deadline
from participant_data.errors import ConfigurationError, UpstreamUnavailable
from participant_data.secrets import (
    REREAD_BACKOFF_CAP_SECONDS,
    REREAD_BACKOFF_SECONDS,
    ClientFactory,
    SecretStore,
)
from tests.integration.conftest import captured_logs  # noqa: F401 - the service's log lines
from tests.unit.test_deadline import FakeClock

SECRET_ID = "genesys/participant-data"
TTL = 300.0
CONNECT_CAP, ATTEMPT_CAP, MAX_ATTEMPTS = 2.0, 3.0, 3
BUDGET = 9.5


def secret(client_id: str = "client-1") -> str:
    return json.dumps({"client_id": client_id, "client_secret": "s3cr3t", "environment": "mypurecloud.com"})


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, "GetSecretValue")


UNAVAILABLE = {
    "refused": lambda: EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
    "timeout": lambda: ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
    "throttled": lambda: client_error("ThrottlingException"),
    "5xx": lambda: client_error("InternalServiceError"),
}


class FakeSecretsManager:
    """Answers `get_secret_value` from a script of secret strings and exceptions (the last one repeats),
    and records every client built and every read with the timeouts of the client that made it."""

    def __init__(self, clock: FakeClock, *answers: str | Exception) -> None:
        self.clock = clock
        self.answers: list[str | Exception] = list(answers)
        self.clients: list[FakeClient] = []
        self.reads: list[tuple[float, float]] = []

    def script(self, *answers: str | Exception) -> None:
        self.answers = list(answers)

    def factory(self, connect_timeout: float, read_timeout: float) -> FakeClient:
        client = FakeClient(self, connect_timeout, read_timeout)
        self.clients.append(client)
        return client

    def answer(self, client: FakeClient) -> dict[str, Any]:
        self.reads.append((client.connect_timeout, client.read_timeout))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, ReadTimeoutError):
            self.clock.now += client.read_timeout  # a timeout takes the whole read timeout
        if isinstance(answer, Exception):
            raise answer
        return {"SecretString": answer}


class FakeClient:
    def __init__(self, server: FakeSecretsManager, connect_timeout: float, read_timeout: float) -> None:
        self.server = server
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.closed = False

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:  # boto3's parameter name
        assert SecretId == SECRET_ID
        assert not self.closed
        return self.server.answer(self)

    def close(self) -> None:
        self.closed = True


class Harness:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.secrets_manager = FakeSecretsManager(self.clock, secret())
        self.served_stale = 0
        self.retries: list[str] = []
        self.store = SecretStore(
            secret_id=SECRET_ID,
            ttl_seconds=TTL,
            connect_timeout_cap=CONNECT_CAP,
            attempt_timeout_cap=ATTEMPT_CAP,
            max_attempts=MAX_ATTEMPTS,
            backoff=Backoff(base_seconds=0.0, cap_seconds=0.0),
            on_retry=self.retries.append,
            client_factory=cast(ClientFactory, self.secrets_manager.factory),  # duck-typed stand-in
            clock=self.clock,
            on_served_stale=self.count_stale,
        )

    def count_stale(self) -> None:
        self.served_stale += 1

    def client_id(self, *, refresh: bool = False, budget: float = BUDGET) -> str:
        return self.store.credentials(Deadline(budget, self.clock), refresh=refresh).client_id

    def warm_past_the_ttl(self) -> None:
        """A warm container: the secret read once, then the TTL run out."""
        assert self.client_id() == "client-1"
        self.clock.now += TTL


@pytest.fixture
def harness() -> Harness:
    return Harness()


def warnings_in(logs: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("level") == "WARNING"]


def test_the_secret_is_read_once_and_cached_for_the_ttl(harness: Harness) -> None:
    assert harness.client_id() == "client-1"
    harness.secrets_manager.script(secret("client-2"))
    harness.clock.now += TTL - 1

    assert harness.client_id() == "client-1"
    assert len(harness.secrets_manager.reads) == 1


def test_after_the_ttl_a_successful_reread_picks_up_the_new_secret(harness: Harness) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(secret("client-2"))

    assert harness.client_id() == "client-2"
    assert harness.served_stale == 0


@pytest.mark.parametrize("failure", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_after_the_ttl_an_unavailable_secrets_manager_leaves_the_cached_credentials_in_use(
    harness: Harness,
    captured_logs: io.StringIO,  # noqa: F811 - the fixture imported above
    failure: Any,
) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(failure())

    assert harness.client_id() == "client-1"

    assert harness.served_stale == 1
    assert len(harness.secrets_manager.reads) == 2  # one re-read attempt, not retried
    assert harness.retries == []
    (warning,) = warnings_in(captured_logs)
    assert warning["message"] == "Re-reading the Genesys secret failed: serving the cached credentials"
    assert warning["secret_reread_failure"].startswith("secretsmanager:")
    assert warning["next_reread_in_seconds"] == REREAD_BACKOFF_SECONDS
    assert "s3cr3t" not in captured_logs.getvalue()


def test_a_reread_takes_at_most_one_attempt_and_half_of_what_is_left(harness: Harness) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(ReadTimeoutError(endpoint_url="http://127.0.0.1:1"))
    started = harness.clock.now

    harness.client_id(budget=4.0)  # less than two full attempts left: the re-read gets 2 s, Genesys 2 s

    assert harness.clock.now - started == pytest.approx(2.0)
    assert harness.secrets_manager.reads[-1] == (2.0, 2.0)


def test_after_a_failed_reread_the_next_waits_a_back_off_that_doubles_to_a_cap(harness: Harness) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert harness.client_id() == "client-1"

    waits = []
    for _ in range(6):
        reads = len(harness.secrets_manager.reads)
        # Within the back-off: the cache is used without trying Secrets Manager, and counted as stale.
        harness.clock.now += 1
        assert harness.client_id() == "client-1"
        assert len(harness.secrets_manager.reads) == reads
        waited = 1.0
        while len(harness.secrets_manager.reads) == reads:
            harness.clock.now += 1
            waited += 1
            assert harness.client_id() == "client-1"
        waits.append(waited)

    assert waits == [5, 10, 20, 40, REREAD_BACKOFF_CAP_SECONDS, REREAD_BACKOFF_CAP_SECONDS]
    assert harness.served_stale == 1 + sum(waits)


def test_once_secrets_manager_answers_again_the_back_off_is_over(harness: Harness) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    harness.client_id()
    harness.clock.now += REREAD_BACKOFF_SECONDS
    harness.secrets_manager.script(secret("client-2"))

    assert harness.client_id() == "client-2"

    reads, stale = len(harness.secrets_manager.reads), harness.served_stale
    harness.clock.now += TTL - 1
    assert harness.client_id() == "client-2"  # cached again for a whole TTL
    assert (len(harness.secrets_manager.reads), harness.served_stale) == (reads, stale)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(client_error("AccessDeniedException"), id="access-denied"),
        pytest.param(client_error("ResourceNotFoundException"), id="deleted"),
        pytest.param(client_error("DecryptionFailure"), id="kms"),
        pytest.param("not json", id="malformed"),
    ],
)
def test_after_the_ttl_a_refusal_or_a_malformed_secret_fails_and_drops_the_cache(
    harness: Harness, answer: str | Exception
) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(answer)

    with pytest.raises(ConfigurationError):
        harness.client_id()

    assert harness.served_stale == 0
    harness.secrets_manager.script(secret("client-2"))
    assert harness.client_id() == "client-2"  # nothing cached: the next request reads again


def test_a_forced_read_is_never_answered_from_the_cache(harness: Harness) -> None:
    """Genesys rejected the cached credentials: a failed read is an honest failure, and the known-bad
    credentials are not served to later requests either."""
    assert harness.client_id() == "client-1"
    harness.secrets_manager.script(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))

    with pytest.raises(UpstreamUnavailable):
        harness.client_id(refresh=True)
    assert len(harness.secrets_manager.reads) == 1 + MAX_ATTEMPTS
    with pytest.raises(UpstreamUnavailable):
        harness.client_id()

    assert harness.served_stale == 0
    harness.secrets_manager.script(secret("client-2"))
    assert harness.client_id() == "client-2"


def test_a_forced_read_does_not_wait_for_the_back_off(harness: Harness) -> None:
    harness.warm_past_the_ttl()
    harness.secrets_manager.script(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    harness.client_id()  # failed re-read: back-off
    harness.secrets_manager.script(secret("client-2"))

    assert harness.client_id(refresh=True) == "client-2"


def test_the_first_read_retries_up_to_max_attempts(harness: Harness) -> None:
    harness.secrets_manager.script(
        client_error("ThrottlingException"), client_error("ThrottlingException"), secret()
    )

    assert harness.client_id() == "client-1"
    assert harness.retries == ["secretsmanager:ThrottlingException"] * 2

    fresh = Harness()
    fresh.secrets_manager.script(client_error("ThrottlingException"))
    with pytest.raises(UpstreamUnavailable):
        fresh.client_id()
    assert len(fresh.secrets_manager.reads) == MAX_ATTEMPTS


def test_one_client_serves_every_read_that_has_a_full_attempt_left(harness: Harness) -> None:
    harness.client_id()
    harness.clock.now += TTL
    harness.client_id()
    harness.client_id(refresh=True)

    assert [(c.connect_timeout, c.read_timeout) for c in harness.secrets_manager.clients] == [(2.0, 3.0)]
    assert len(harness.secrets_manager.reads) == 3


def test_a_read_with_less_than_a_full_attempt_left_gets_a_client_ending_with_the_budget(
    harness: Harness,
) -> None:
    harness.client_id()
    harness.client_id(refresh=True, budget=1.5)
    harness.client_id(refresh=True)

    built = [(c.connect_timeout, c.read_timeout) for c in harness.secrets_manager.clients]
    assert built == [(2.0, 3.0), (1.5, 1.5)]
    assert harness.secrets_manager.reads == [(2.0, 3.0), (1.5, 1.5), (2.0, 3.0)]  # the kept one again


def test_forget_drops_the_credentials_and_closes_the_client(harness: Harness) -> None:
    harness.client_id()
    (first,) = harness.secrets_manager.clients

    harness.store.forget()

    assert first.closed
    harness.secrets_manager.script(secret("client-2"))
    assert harness.client_id() == "client-2"
    assert len(harness.secrets_manager.clients) == 2
