"""Starting, stopping, resetting; loopback only; recorded requests."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest
import urllib3
from urllib3 import BaseHTTPResponse

from genesys_emulator import Fault, GenesysEmulator, NonLoopbackHostError, OAuthClient

ApiCall = Callable[..., BaseHTTPResponse]
TokenRequest = Callable[..., BaseHTTPResponse]

TOKENS_ME = "/api/v2/tokens/me"
BASIC_C_S = "Basic Yzpz"  # c:s


def _login(pool: urllib3.PoolManager, base_url: str, authorization: str) -> BaseHTTPResponse:
    return pool.request(
        "POST",
        base_url + "/oauth/token",
        body="grant_type=client_credentials",
        headers={"Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded"},
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", ""])  # noqa: S104
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(NonLoopbackHostError, match="only listens on loopback"):
        GenesysEmulator(host=host)


@pytest.mark.parametrize(
    ("host", "prefix"), [("127.0.0.1", "http://127.0.0.1:"), ("localhost", "http://127.0.0.1:")]
)
def test_loopback_hosts_are_served(host: str, prefix: str, http: urllib3.PoolManager) -> None:
    with GenesysEmulator(host=host) as emulator:
        assert emulator.base_url.startswith(prefix)
        assert emulator.base_url == f"{prefix}{emulator.port}"
        assert http.request("GET", emulator.base_url + TOKENS_ME).status == 401


def test_ipv6_loopback_is_served(http: urllib3.PoolManager) -> None:
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    with GenesysEmulator(host="::1") as emulator:
        assert emulator.base_url == f"http://[::1]:{emulator.port}"
        assert http.request("GET", emulator.base_url + TOKENS_ME).status == 401


def test_base_url_needs_a_started_emulator() -> None:
    emulator = GenesysEmulator()

    with pytest.raises(RuntimeError, match="not started"):
        _ = emulator.base_url


def test_an_emulator_starts_once_and_stops_idempotently() -> None:
    emulator = GenesysEmulator().start()
    was_running = emulator.running
    emulator.stop()
    emulator.stop()

    assert (was_running, emulator.running) == (True, False)
    with pytest.raises(RuntimeError, match="already started"):
        emulator.start()


def test_stop_closes_idle_keep_alive_connections(http: urllib3.PoolManager) -> None:
    emulator = GenesysEmulator().start()
    port = emulator.port
    assert http.request("GET", emulator.base_url + TOKENS_ME).status == 401  # leaves a pooled connection

    started = time.monotonic()
    emulator.stop()

    assert time.monotonic() - started < 1.0
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_connections_are_kept_alive(emulator: GenesysEmulator, api: ApiCall) -> None:
    answers = [api("GET", TOKENS_ME) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert all(a.headers.get("Connection", "").lower() != "close" for a in answers)


def test_requests_are_recorded(emulator: GenesysEmulator, api: ApiCall, token: str) -> None:
    before = time.time()
    api("GET", TOKENS_ME)
    api("GET", TOKENS_ME, token=None)

    login, with_token, without_token = emulator.requests

    assert (login.method, login.path, login.status, login.token) == ("POST", "/oauth/token", 200, None)
    assert (with_token.method, with_token.path, with_token.status) == ("GET", TOKENS_ME, 200)
    assert with_token.token == token
    assert (without_token.status, without_token.token) == (401, None)
    assert before <= with_token.started_at <= time.time()
    assert 0 <= with_token.duration < 5
    assert not any(r.empty_attributes or r.fault for r in emulator.requests)


def test_query_strings_are_not_part_of_the_recorded_path(emulator: GenesysEmulator, api: ApiCall) -> None:
    api("GET", TOKENS_ME + "?expand=nothing")

    assert emulator.requests[-1].path == TOKENS_ME


def test_count_and_clear_requests(emulator: GenesysEmulator, api: ApiCall) -> None:
    api("GET", TOKENS_ME)
    api("HEAD", TOKENS_ME)
    api("GET", "/api/v2/organizations/me")

    assert emulator.count_requests() == 4  # with the login
    assert emulator.count_requests(method="get") == 2
    assert emulator.count_requests(path_prefix="/api/v2/tokens") == 2
    assert emulator.count_requests(method="POST", path_prefix="/oauth/token") == 1
    emulator.clear_requests()
    assert emulator.requests == []
    assert emulator.count_requests() == 0


def test_requests_returns_a_copy(emulator: GenesysEmulator, api: ApiCall) -> None:
    snapshot = emulator.requests
    api("GET", TOKENS_ME)

    assert len(emulator.requests) == len(snapshot) + 1


def test_reset_returns_to_the_start_up_configuration(http: urllib3.PoolManager) -> None:
    with GenesysEmulator(clients=[OAuthClient("c", "s")], rate_limit=1) as emulator:
        emulator.add_client("added", "x")
        old_token = _login(http, emulator.base_url, BASIC_C_S).json()["access_token"]
        emulator.create_conversation([{}], conversation_id="seeded")
        emulator.inject_fault(Fault(status=503, path_prefix="/api"))
        emulator.set_rate_limit(None)

        emulator.reset()

        assert emulator.issued_tokens == []
        assert emulator.requests == []
        assert emulator.faults == []
        with pytest.raises(KeyError):
            emulator.get_conversation("seeded")
        old = http.request(
            "GET", emulator.base_url + TOKENS_ME, headers={"Authorization": f"Bearer {old_token}"}
        )
        assert old.status == 401
        assert _login(http, emulator.base_url, "Basic YWRkZWQ6eA==").status == 400  # added:x is gone
        login = _login(http, emulator.base_url, BASIC_C_S)
        assert login.status == 200
        bearer = {"Authorization": "Bearer " + login.json()["access_token"]}
        statuses = [
            http.request("GET", emulator.base_url + TOKENS_ME, headers=bearer).status for _ in range(2)
        ]
        assert statuses == [200, 429]  # the start-up rate limit is back


def test_request_logging_never_shows_tokens(
    caplog: pytest.LogCaptureFixture, http: urllib3.PoolManager
) -> None:
    with (
        GenesysEmulator(clients=[OAuthClient("c", "s")], log_requests=True) as emulator,
        caplog.at_level("DEBUG", logger="genesys_emulator"),
    ):
        token = _login(http, emulator.base_url, BASIC_C_S).json()["access_token"]
        http.request("GET", emulator.base_url + TOKENS_ME, headers={"Authorization": f"Bearer {token}"})

    lines = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(line.startswith(f"GET {TOKENS_ME} -> 200") for line in lines)
    assert any(line.startswith("POST /oauth/token -> 200") for line in lines)
    assert token not in caplog.text
    assert "Yzpz" not in caplog.text
