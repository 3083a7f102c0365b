"""The emulator's TLS option (``GenesysEmulator(tls=...)``), which the real-org path's tests stand on:
HTTPS on loopback, the handshake in each connection's own thread, plain HTTP refused."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import urllib3

from conformance.http import HttpClient
from genesys_emulator import GenesysEmulator
from tests.conformance.certificates import make_certificates

pytestmark = pytest.mark.integration


def test_it_serves_https_that_a_client_trusting_the_test_ca_accepts(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path)
    with GenesysEmulator(tls=certificates.server_context()) as emulator:
        assert emulator.base_url.startswith("https://127.0.0.1:")
        silent = socket.create_connection(("127.0.0.1", emulator.port))  # connects, never says hello
        client = HttpClient(certificates.ca_bundle)
        try:
            answer = client.request("GET", f"{emulator.base_url}/api/v2/tokens/me", {})
        finally:
            silent.close()

        assert answer.status == 401  # an answer over TLS, while the silent connection was still open
        assert answer.json()["code"] == "authentication.required"
        assert emulator.count_requests() == 1


def test_plain_http_to_it_gets_no_answer_and_is_not_recorded(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path)
    with GenesysEmulator(tls=certificates.server_context()) as emulator:
        plain = urllib3.PoolManager(retries=False, timeout=5.0)
        with pytest.raises(urllib3.exceptions.HTTPError):
            plain.request("GET", f"http://127.0.0.1:{emulator.port}/api/v2/tokens/me")

        assert emulator.count_requests() == 0


def test_without_tls_it_still_serves_plain_http() -> None:
    with GenesysEmulator() as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert HttpClient().request("GET", f"{emulator.base_url}/api/v2/tokens/me", {}).status == 401
