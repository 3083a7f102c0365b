"""Stale-on-error secret, over real HTTP: a warm container whose secret cache is past its TTL while
Secrets Manager (moto_server, behind a switchable relay or stopped) is unavailable, against the emulator.

SECRET_CACHE_TTL_SECONDS is short here (300 s by default) so that the tests can wait it out.
"""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from localdev.moto_server import LOOPBACK, MotoServer
from participant_data.observability import MetricName
from tests.events import api_event, response_body
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, LocalStack
from tests.integration.relay import Relay
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values
from tests.integration.test_secret_rotation import NEW_CLIENT_ID, NEW_CLIENT_SECRET, token_owner

TTL_SECONDS = 1.0
ATTEMPT_SECONDS = 1.0
REREAD_BACKOFF_SECONDS = 5.0  # participant_data.secrets: the first back-off after a failed re-read
STALE_WARNING = "Re-reading the Genesys secret failed: serving the cached credentials"


def write(stack: LocalStack, **attributes: str) -> dict[str, Any]:
    response: dict[str, Any] = stack.invoke(api_event("rest", body={"attributes": attributes}))
    return response


def warnings(logs: io.StringIO) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    return [record for record in records if record.get("message") == STALE_WARNING]


def served_stale(capsys: pytest.CaptureFixture[str]) -> list[float]:
    return metric_values(emf_documents(capsys), MetricName.SECRET_SERVED_STALE)


def warm_behind_relay(stack: LocalStack, ttl_seconds: float) -> Relay:
    """A warm container that reads the secret through a relay to moto_server."""
    relay = Relay(stack.moto.port)
    stack.configure(
        AWS_ENDPOINT_URL_SECRETS_MANAGER=relay.url,
        SECRET_CACHE_TTL_SECONDS=str(ttl_seconds),
        ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_SECONDS),
    )
    assert write(stack, step="warm")["statusCode"] == 200
    return relay


@pytest.fixture
def relay(stack: LocalStack) -> Iterator[Relay]:
    relay = warm_behind_relay(stack, TTL_SECONDS)
    yield relay
    relay.close()


def test_with_secrets_manager_stopped_a_warm_container_past_its_ttl_still_writes(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], captured_logs: io.StringIO
) -> None:
    with MotoServer() as own:
        own.put_genesys_secret(stack.secret_name, CLIENT_ID, CLIENT_SECRET, stack.emulator.base_url)
        stack.configure(AWS_ENDPOINT_URL_SECRETS_MANAGER=own.url, SECRET_CACHE_TTL_SECONDS=str(TTL_SECONDS))
        assert write(stack, step="warm")["statusCode"] == 200
    time.sleep(TTL_SECONDS)  # moto_server has stopped: its port refuses connections
    capsys.readouterr()

    response = write(stack, step="after-ttl")

    assert response["statusCode"] == 200
    assert stack.attributes()["step"] == "after-ttl"
    assert served_stale(capsys) == [1.0]
    (warning,) = warnings(captured_logs)
    assert warning["level"] == "WARNING"
    assert warning["secret_reread_failure"] == "secretsmanager:connection"
    assert warning["secret_age_seconds"] >= TTL_SECONDS


def test_a_hung_reread_costs_one_attempt_then_the_cache_is_used_without_trying(
    stack: LocalStack, relay: Relay, capsys: pytest.CaptureFixture[str], captured_logs: io.StringIO
) -> None:
    relay.hang()
    time.sleep(TTL_SECONDS)
    capsys.readouterr()
    requests = relay.requests

    first = write(stack, step="stale-1")
    first_duration = stack.last_duration
    second = write(stack, step="stale-2")

    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert stack.attributes()["step"] == "stale-2"
    assert relay.requests == requests + 1  # one re-read attempt; the second request waited the back-off
    # The re-read waited out its attempt timeout and no more, far within the 9.5 s budget.
    assert ATTEMPT_SECONDS <= first_duration < ATTEMPT_SECONDS + 2
    assert served_stale(capsys) == [1.0, 1.0]
    (warning,) = warnings(captured_logs)
    assert warning["secret_reread_failure"] == "secretsmanager:timeout"


def test_once_secrets_manager_answers_again_a_rotated_secret_is_picked_up(
    stack: LocalStack, relay: Relay, capsys: pytest.CaptureFixture[str]
) -> None:
    relay.hang()
    time.sleep(TTL_SECONDS)
    assert write(stack, step="stale")["statusCode"] == 200
    stack.emulator.add_client(NEW_CLIENT_ID, NEW_CLIENT_SECRET)
    stack.moto.put_genesys_secret(
        stack.secret_name, NEW_CLIENT_ID, NEW_CLIENT_SECRET, stack.emulator.base_url
    )
    relay.forward()
    time.sleep(REREAD_BACKOFF_SECONDS)
    capsys.readouterr()

    assert write(stack, step="fresh")["statusCode"] == 200

    last_patch = [r for r in stack.emulator.requests if r.method == "PATCH"][-1]
    assert token_owner(stack, last_patch.token) == NEW_CLIENT_ID
    assert served_stale(capsys) == []


def test_credentials_genesys_rejects_are_not_served_stale_while_secrets_manager_is_down(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    """The forced read after Genesys refuses the cached credentials must succeed: with Secrets Manager
    down the request fails honestly, and so does the next (the known-bad credentials were dropped)."""
    warm_behind_relay(stack, ttl_seconds=300).refuse()  # within the TTL: only the rejection forces a read
    stack.emulator.rotate_client_secret(CLIENT_ID, "rotated-in-genesys-only")
    stack.emulator.revoke_tokens()
    stack.emulator.clear_requests()
    capsys.readouterr()

    first, second = write(stack, step="rejected-1"), write(stack, step="rejected-2")

    for response in (first, second):
        assert response["statusCode"] == 503
        assert response_body(response)["code"] == "upstream_unavailable"
    assert stack.attributes()["step"] == "warm"
    logins = [r.status for r in stack.emulator.requests if r.path == "/oauth/token"]
    assert logins == [401]  # the first request tried the cached secret once; the second had none to try
    assert served_stale(capsys) == []


def test_a_secret_deleted_past_the_ttl_fails_warm_containers_as_it_fails_new_ones(
    stack: LocalStack, relay: Relay, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.moto.secrets_client().delete_secret(SecretId=stack.secret_name, ForceDeleteWithoutRecovery=True)
    time.sleep(TTL_SECONDS)
    capsys.readouterr()

    response = write(stack, step="deleted")

    assert response["statusCode"] == 500
    assert response_body(response)["code"] == "service_misconfigured"
    assert stack.attributes()["step"] == "warm"
    assert served_stale(capsys) == []


def test_the_relay_really_forwards_hangs_and_refuses(stack: LocalStack) -> None:
    """What the tests above rely on: moto_server answers through the relay, a hung relay gives no answer,
    a refused one no connection."""
    relay = Relay(stack.moto.port)
    probe = b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection((LOOPBACK, relay.port), timeout=5) as connection:
        connection.sendall(probe)
        assert connection.recv(12).startswith(b"HTTP/1.")
    relay.hang()
    with socket.create_connection((LOOPBACK, relay.port), timeout=5) as connection:
        connection.sendall(probe)
        connection.settimeout(0.5)
        with pytest.raises(TimeoutError):
            connection.recv(1)
    relay.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((LOOPBACK, relay.port), timeout=5)
