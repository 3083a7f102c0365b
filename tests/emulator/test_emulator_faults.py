"""Fault injection: error statuses, hangs, connection resets, malformed JSON; matching and consumption."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable

import pytest
import urllib3
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import ProtocolError

from genesys_emulator import ConversationInfo, Fault, GenesysEmulator

ApiCall = Callable[..., BaseHTTPResponse]
TokenRequest = Callable[..., BaseHTTPResponse]
AttributesUrl = Callable[..., str]

TOKENS_ME = "/api/v2/tokens/me"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (429, "too.many.requests.retry.after"),
        (500, "internal.server.error"),
        (502, "bad.gateway"),
        (503, "service.unavailable"),
        (504, "request.timeout"),
        (418, "error"),
    ],
)
def test_status_fault_answers_an_error_body(
    emulator: GenesysEmulator, api: ApiCall, status: int, code: str
) -> None:
    emulator.inject_fault(Fault(status=status))

    answer = api("GET", TOKENS_ME)

    assert answer.status == status
    assert answer.json()["code"] == code
    assert answer.json()["status"] == status
    assert "Retry-After" not in answer.headers
    assert api("GET", TOKENS_ME).status == 200  # count=1: used up


def test_retry_after_is_sent_as_a_header(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(status=429, retry_after=7))

    answer = api("GET", TOKENS_ME)

    assert answer.status == 429
    assert answer.headers["Retry-After"] == "7"


def test_status_fault_skips_the_real_endpoint(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    emulator.inject_fault(Fault(status=503, method="PATCH"))

    answer = api("PATCH", attributes_url(conversation), json={"attributes": {"lost": "yes"}})

    assert answer.status == 503
    assert "lost" not in emulator.participant_attributes(
        conversation["id"], conversation["participants"][0]["id"]
    )


def test_count_is_consumed_then_normal_service_resumes(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(status=503, count=2))

    statuses = [api("GET", TOKENS_ME).status for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert emulator.faults == []
    assert [r.fault for r in emulator.requests[-3:]] == ["status", "status", None]


def test_faults_are_consumed_first_in_first_out(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(status=500))
    emulator.inject_fault(Fault(status=502, count=2))
    emulator.inject_fault(Fault(status=504))

    assert emulator.faults == [Fault(status=500), Fault(status=502, count=2), Fault(status=504)]
    assert [api("GET", TOKENS_ME).status for _ in range(5)] == [500, 502, 502, 504, 200]


def test_faults_match_method_and_path_prefix(
    emulator: GenesysEmulator, api: ApiCall, token_request: TokenRequest
) -> None:
    emulator.inject_fault(Fault(status=503, path_prefix="/oauth/token"))
    emulator.inject_fault(Fault(status=502, method="head", path_prefix="/api/v2/tokens"))

    assert api("GET", TOKENS_ME).status == 200  # neither matches a GET of /api/v2/tokens/me
    assert api("HEAD", TOKENS_ME).status == 502
    assert api("HEAD", TOKENS_ME).status == 200
    assert token_request().status == 503
    assert token_request().status == 200


def test_faults_apply_before_authentication(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(status=503))

    assert api("GET", TOKENS_ME, token=None).status == 503


def test_clear_faults(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(status=503, count=5))

    emulator.clear_faults()

    assert emulator.faults == []
    assert api("GET", TOKENS_ME).status == 200


def test_hang_delays_a_normal_answer(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(hang_seconds=0.3))

    started = time.monotonic()
    answer = api("GET", TOKENS_ME)
    elapsed = time.monotonic() - started

    assert answer.status == 200
    assert 0.3 <= elapsed < 2.0
    assert emulator.requests[-1].fault == "hang"
    assert emulator.requests[-1].duration >= 0.3


def test_hang_then_status(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.inject_fault(Fault(hang_seconds=0.2, status=504))

    started = time.monotonic()
    answer = api("GET", TOKENS_ME)

    assert answer.status == 504
    assert time.monotonic() - started >= 0.2
    assert emulator.requests[-1].fault == "hang+status"


def test_hang_is_released_when_the_emulator_stops(
    emulator: GenesysEmulator, http: urllib3.PoolManager, token: str
) -> None:
    emulator.inject_fault(Fault(hang_seconds=60))
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            answer = http.request(
                "GET", emulator.base_url + TOKENS_ME, headers={"Authorization": f"Bearer {token}"}
            )
            outcome.append(answer.status)
        except Exception as error:  # the connection is closed without an answer
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while emulator.faults and time.monotonic() < deadline:  # the fault is taken once the request arrived
        time.sleep(0.01)
    assert emulator.faults == []

    started = time.monotonic()
    emulator.stop()
    caller.join(5)

    assert time.monotonic() - started < 2.0
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ProtocolError)
    assert emulator.requests[-1].status == 0  # dropped, no status line
    assert emulator.requests[-1].fault == "hang"


def _raw_exchange(port: int, request: bytes) -> tuple[bytes, BaseException | None]:
    """Send a raw request; read until EOF or error. Returns what arrived and how it ended."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as error:
            return received, error
        return received, None


def test_reset_sends_a_partial_answer_then_a_tcp_reset(emulator: GenesysEmulator) -> None:
    emulator.inject_fault(Fault(action="reset", status=200, path_prefix="/oauth/token"))

    received, ended = _raw_exchange(
        emulator.port, b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    )

    assert isinstance(ended, ConnectionResetError)  # RST, not an orderly FIN
    if received:  # the kernel may drop unread data when the RST lands first
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        announced = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
        assert len(body) < announced
    assert emulator.requests[-1].status == 200
    assert emulator.requests[-1].fault == "reset"


def test_reset_breaks_an_http_client(emulator: GenesysEmulator, token_request: TokenRequest) -> None:
    emulator.inject_fault(Fault(action="reset"))

    with pytest.raises(ProtocolError):
        token_request()
    assert token_request().status == 200  # the next connection is served normally


def test_malformed_json_answers_200_with_invalid_json(
    emulator: GenesysEmulator, token_request: TokenRequest
) -> None:
    emulator.inject_fault(Fault(action="malformed_json", path_prefix="/oauth/token"))

    answer = token_request()

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.data)
    assert emulator.issued_tokens == []


def test_malformed_json_breaks_the_sdk_login(emulator: GenesysEmulator) -> None:
    from PureCloudPlatformClientV2 import ApiClient

    emulator.inject_fault(Fault(action="malformed_json", path_prefix="/oauth/token"))

    with pytest.raises(ValueError):  # noqa: PT011 - json.JSONDecodeError from inside the SDK
        ApiClient(host=emulator.base_url).get_client_credentials_token("test-client", "test-secret")


def test_admin_requests_are_never_faulted(emulator: GenesysEmulator, http: urllib3.PoolManager) -> None:
    emulator.inject_fault(Fault(status=503))

    answer = http.request("GET", emulator.base_url + "/_emulator/faults")

    assert answer.status == 200
    assert len(answer.json()) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="nothing-to-do"),
        pytest.param({"status": 503, "count": 0}, id="zero-count"),
        pytest.param({"status": 200}, id="success-status-without-action"),
        pytest.param({"status": 600}, id="status-out-of-range"),
        pytest.param({"hang_seconds": 1, "retry_after": 1}, id="retry-after-without-status"),
        pytest.param({"status": 503, "retry_after": -1}, id="negative-retry-after"),
        pytest.param({"hang_seconds": -1}, id="negative-hang"),
        pytest.param({"action": "explode"}, id="unknown-action"),
        pytest.param({"status": 503, "path_prefix": "api/v2"}, id="relative-prefix"),
    ],
)
def test_invalid_faults_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Fault(**kwargs)  # type: ignore[arg-type]
