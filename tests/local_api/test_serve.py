"""`make serve` (localdev.serve) as a user runs it: a process that prints a curl line that works, and
stops itself and everything it started on Ctrl-C."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import app
from localdev import serve
from localdev.stack import CLIENT_SECRET, LocalStack

REPO = Path(__file__).resolve().parents[2]
READY_LINE = "Requests are logged below"
STARTUP_TIMEOUT_SECONDS = 60


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`python -m localdev.serve --port 0`, running until its banner is printed; killed if a test fails."""
    environment = os.environ | {"PYTHONPATH": "src:src/handler", "LOCAL_API_KEY": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev.serve", "--port", "0"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, _read_until_ready(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _read_until_ready(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"serve exited early ({process.wait()}): {''.join(lines)}")
        lines.append(line.rstrip("\n"))
        if line.startswith(READY_LINE):
            return lines
    pytest.fail("serve did not print its banner in time")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_the_printed_curl_line_works_and_ctrl_c_stops_everything(
    served: tuple[subprocess.Popen[str], list[str]],
) -> None:
    process, banner = served
    text = "\n".join(banner)
    url = re.search(r"^  URL +(\S+)$", text, re.MULTILINE)
    key = re.search(r"^  API key +(\S+)", text, re.MULTILINE)
    emulator = re.search(r"^  Genesys emulator +(http://127\.0\.0\.1:\d+)", text, re.MULTILINE)
    (curl,) = (line.strip() for line in banner if line.strip().startswith("curl "))
    assert url, text
    assert key, text
    assert emulator, text
    assert url.group(1).startswith("http://127.0.0.1:")
    assert url.group(1).endswith("/prod")
    assert len(key.group(1)) >= 24  # a generated key: LOCAL_API_KEY is empty
    children = _children(process.pid)
    assert children, "moto_server should be running as a child"

    answer = subprocess.run(shlex.split(curl), capture_output=True, text=True, timeout=60, check=False)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("HTTP/1.1 200"), answer.stdout
    assert '"updatedCount": 3' in answer.stdout

    (cli,) = (line.strip() for line in banner if "participant-data" in line)
    read_back = subprocess.run(
        shlex.split(cli), cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )

    assert read_back.returncode == 0, read_back.stderr
    assert 'customer_tier = "gold"' in read_back.stdout, read_back.stdout

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert process.stdout is not None
    assert process.stderr is not None
    assert "Stopped" in process.stdout.read()
    request_log = process.stderr.read()
    assert re.search(r"^PATCH /prod/conversations/\S+ 200 \d+ ms$", request_log, re.MULTILINE), request_log
    assert key.group(1) not in request_log
    assert CLIENT_SECRET not in text + request_log
    deadline = time.monotonic() + 10
    while any(_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(child) for child in children)


def test_a_busy_default_port_falls_back_to_a_free_one(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(serve, "DEFAULT_PORT", taken.getsockname()[1])

        api = serve._local_api(app.lambda_handler, "key", None)

    assert api is not None
    with api:
        assert api.port != serve.DEFAULT_PORT
    assert f"serving on {api.port} instead" in capsys.readouterr().out


def test_a_busy_chosen_port_is_an_error(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()

        api = serve._local_api(app.lambda_handler, "key", taken.getsockname()[1])

    assert api is None
    assert "already in use" in capsys.readouterr().out
