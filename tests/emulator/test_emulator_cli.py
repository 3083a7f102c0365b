"""``python -m genesys_emulator``: the JSON line, serving, and a clean exit on SIGTERM / SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from genesys_emulator import EmulatorAdmin

SRC = Path(__file__).parents[2] / "src"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "genesys_emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A CLI emulator with a client, a 2 s token lifetime and a rate limit; its base URL."""
    process = _start(
        "--client-id",
        "cli-client",
        "--client-secret",
        "cli-secret",
        "--token-lifetime",
        "2",
        "--rate-limit",
        "2",
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        yield process, json.loads(line)["base_url"]
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=5)


def test_prints_one_json_line_serves_and_exits_0_on_sigterm(
    running: tuple[subprocess.Popen[str], str],
) -> None:
    process, base_url = running
    pool = urllib3.PoolManager(retries=False, timeout=5.0)

    login = pool.request(
        "POST",
        base_url + "/oauth/token",
        body="grant_type=client_credentials",
        headers={
            "Authorization": "Basic Y2xpLWNsaWVudDpjbGktc2VjcmV0",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    bearer = {"Authorization": "Bearer " + login.json()["access_token"]}
    statuses = [pool.request("GET", base_url + "/api/v2/tokens/me", headers=bearer).status for _ in range(3)]
    admin = EmulatorAdmin(base_url)
    admin.create_conversation([{"id": "p"}], conversation_id="c")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=5)

    assert base_url.startswith("http://127.0.0.1:")
    assert login.json()["expires_in"] == 2
    assert statuses == [200, 200, 429]
    assert process.returncode == 0
    assert stdout == ""  # nothing after the one JSON line
    assert stderr == ""


def test_sigint_also_stops_cleanly(running: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = running

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=5) == 0


def test_non_loopback_host_is_refused() -> None:
    process = _start("--host", "0.0.0.0")  # noqa: S104

    _, stderr = process.communicate(timeout=10)

    assert process.returncode == 2
    assert "only listens on loopback" in stderr


def test_client_id_needs_a_secret() -> None:
    process = _start("--client-id", "lonely")

    _, stderr = process.communicate(timeout=10)

    assert process.returncode == 2
    assert "--client-secret" in stderr


def test_help_explains_the_output_and_the_admin_api() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "genesys_emulator", "--help"],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=10,
        check=True,
    )

    assert '{"base_url": "http://127.0.0.1:PORT"}' in result.stdout
    assert "/_emulator/faults" in result.stdout
    assert "SIGTERM" in result.stdout
