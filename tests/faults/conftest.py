"""Fault-matrix fixtures: the integration stack (handler + emulator + moto_server over real sockets),
stand-in servers that refuse, hang or fail (each counting the requests it receives), and the results file
docs/reliability.md is rendered from."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localdev.moto_server import LOOPBACK, free_port
from tests.integration.conftest import captured_logs, stack  # noqa: F401 - shared fixtures


def closed_port() -> int:
    """A loopback port nobody listens on: a connect is refused at once (RST)."""
    return free_port()  # free: bound for a moment to find it, then closed


class ClosedPort:
    """A closed loopback port as a stand-in: it receives no request, whatever the client tries (the
    attempts made show only in the client's own retry log)."""

    requests = 0

    def __init__(self) -> None:
        self.port = closed_port()
        self.url = f"http://{LOOPBACK}:{self.port}"


class ConnectBlackhole:
    """A loopback port where connect() hangs until the client's connect timeout.

    Linux drops a SYN when the listening socket's accept queue is full (tcp_abort_on_overflow=0, the
    default): the client retransmits and never gets a SYN-ACK. listen(0) leaves room for one connection;
    we fill it with connections we never accept, so every later connect hangs, even on loopback.
    """

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []
        while True:
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect((LOOPBACK, self.port))
            except TimeoutError:
                filler.close()
                break
            self._fillers.append(filler)
            if len(self._fillers) > 64:
                raise RuntimeError("the accept queue never filled: connect() will not hang here")

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._listener.close()


class SilentServer:
    """Accepts connections and reads requests; never answers (a hang at read), or answers each with `reply`.

    `requests` counts the HTTP requests received (request heads), answered or not."""

    def __init__(self, reply: bytes | None = None) -> None:
        self._reply = reply
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(16)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.connections = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(connection)
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        """Count each request head as its blank line arrives (the JSON bodies sent here hold none)."""
        pending = b""
        try:
            while data := connection.recv(65536):
                pending += data
                while b"\r\n\r\n" in pending:
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    with self._lock:
                        self.requests += 1
                    if self._reply is not None:
                        connection.sendall(self._reply)
        except OSError:
            return

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for connection in self._open:
                connection.close()


@pytest.fixture
def blackhole() -> Iterator[ConnectBlackhole]:
    hole = ConnectBlackhole()
    yield hole
    hole.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def failing_server() -> Iterator[SilentServer]:
    body = b'{"__type": "InternalServiceError", "message": "injected"}'
    reply = (
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/x-amz-json-1.1\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    server = SilentServer(reply)
    yield server
    server.close()


def results_dir(config: pytest.Config) -> Path:
    """Where the measured outcomes go: $RELIABILITY_RESULTS_DIR (make chaos), else pytest's temp dir."""
    configured = os.environ.get("RELIABILITY_RESULTS_DIR")
    if configured:
        return Path(configured)
    base: Path = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    return base / "reliability"


@pytest.fixture(scope="session")
def fault_results(pytestconfig: pytest.Config) -> Iterator[list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    yield rows
    if rows:
        directory = results_dir(pytestconfig)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "faults.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
