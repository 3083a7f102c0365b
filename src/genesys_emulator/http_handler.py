"""One connection's requests on the wire: read them, apply faults, record them, write the answers.

``/_emulator/...`` goes to the admin API (:mod:`genesys_emulator.admin_api`); every other request is a
login or Platform API request: its queued fault, if any, is applied here (faults live on the wire: a
reset, bad JSON, a hang), and otherwise :func:`genesys_emulator.platform_api.answer` decides the answer.
Each such request is recorded once, just before its answer leaves.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import admin_api, platform_api
from .errors import ApiError
from .models import Fault, RecordedRequest
from .platform_api import Answer, ApiRequest, error_answer, json_bytes
from .state import EmulatorState

if TYPE_CHECKING:
    from .emulator import GenesysEmulator
    from .http_server import EmulatorHTTPServer

logger = logging.getLogger("genesys_emulator")

MAX_READ_BYTES = 16 * 1024 * 1024
"""Bodies up to this size are read (so that the 413 reaches the client); larger ones close the connection."""

IDLE_CONNECTION_TIMEOUT = 60.0
"""Seconds an idle keep-alive connection is kept open."""

_RESET_ANNOUNCED_LENGTH = 4096
_RESET_PARTIAL_BODY = b'{"access_token": "trunc'
_MALFORMED_JSON_BODY = b'{"access_token": "malformed", "token_type": "bearer", "expires_in": '


@dataclass
class _Exchange:
    """What is recorded about one request while it is being answered."""

    method: str
    path: str
    token: str | None
    started_at: float
    started: float  # time.monotonic()
    context_id: str
    status: int = 0
    empty_attributes: bool = False
    fault: str | None = None
    committed: bool = False

    def recorded(self) -> RecordedRequest:
        return RecordedRequest(
            method=self.method,
            path=self.path,
            status=self.status,
            token=self.token,
            started_at=self.started_at,
            duration=time.monotonic() - self.started,
            empty_attributes=self.empty_attributes,
            fault=self.fault,
        )


class _BodyTooLarge(Exception):
    """The body is larger than :data:`MAX_READ_BYTES`: answer 413 without reading it and close."""


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "GenesysEmulator/1.0"
    sys_version = ""
    timeout = IDLE_CONNECTION_TIMEOUT
    server: EmulatorHTTPServer

    # Every method goes through one dispatcher; http.server answers 501 for methods not listed here.
    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK would hold the body back ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)

    @property
    def _emulator(self) -> GenesysEmulator:
        return self.server.emulator

    @property
    def _state(self) -> EmulatorState:
        return self.server.emulator.state

    # --- dispatch --------------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = url.path or "/"
        if path == "/_emulator" or path.startswith("/_emulator/"):
            self._admin(path, url.query)
            return
        exchange = _Exchange(
            method=self.command,
            path=path,
            token=platform_api.bearer_token(self.headers.get("Authorization")),
            started_at=time.time(),
            started=time.monotonic(),
            context_id=str(uuid.uuid4()),
        )
        try:
            self._answer(exchange)
        finally:
            self._commit(exchange)  # a no-op unless the request was dropped without an answer

    def _commit(self, exchange: _Exchange) -> None:
        """Record the request once, before its answer leaves: whoever got an answer finds it recorded."""
        if exchange.committed:
            return
        exchange.committed = True
        record = exchange.recorded()
        self._state.record(record)
        if self._emulator.log_requests:
            logger.info(
                "%s %s -> %s (%.1f ms)%s",
                record.method,
                record.path,
                record.status or "dropped",
                record.duration * 1000,
                f" [fault: {record.fault}]" if record.fault else "",
            )

    def _answer(self, exchange: _Exchange) -> None:
        try:
            body = self._read_body()
        except _BodyTooLarge:
            self.close_connection = True
            self._send_error(exchange, ApiError(413, "request.entity.too.large"))
            return
        except ValueError as error:
            self.close_connection = True
            self._send_error(exchange, ApiError(400, "bad.request", str(error)))
            return
        fault = self._state.take_fault(exchange.method, exchange.path)
        if fault is not None and self._apply_fault(exchange, fault):
            return
        request = ApiRequest(
            exchange.method,
            exchange.path,
            self.headers.get("Authorization"),
            self.headers.get_content_type(),
            body,
        )
        try:
            answer = platform_api.answer(self._state, request)
        except ApiError as error:
            answer = error_answer(error, exchange.context_id)
        exchange.empty_attributes = request.empty_attributes
        self._send(exchange, answer)

    # --- faults ----------------------------------------------------------------------------------------

    def _apply_fault(self, exchange: _Exchange, fault: Fault) -> bool:
        """Apply a fault; False when the request must still be answered normally (a hang only)."""
        kinds = []
        if fault.hang_seconds is not None:
            kinds.append("hang")
        if fault.action is not None:
            kinds.append(fault.action)
        elif fault.status is not None:
            kinds.append("status")
        exchange.fault = "+".join(kinds)
        if fault.hang_seconds and self._emulator.stopping.wait(fault.hang_seconds):
            self.close_connection = True  # stopped while hanging: drop the request unanswered
            return True
        if fault.action == "reset":
            self._reset_connection(exchange, fault.status or 200)
        elif fault.action == "malformed_json":
            self._send(exchange, Answer(fault.status or 200, _MALFORMED_JSON_BODY))
        elif fault.status is not None:
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            self._send_error(exchange, ApiError.for_status(fault.status, headers=headers))
        else:
            return False
        return True

    def _reset_connection(self, exchange: _Exchange, status: int) -> None:
        """Announce a body longer than what is sent, send part of it, then abort with a TCP RST."""
        head = (
            f"{self.protocol_version} {status} {_reason(status)}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {_RESET_ANNOUNCED_LENGTH}\r\n\r\n"
        )
        exchange.status = status
        self._commit(exchange)
        self.wfile.write(head.encode("latin-1") + _RESET_PARTIAL_BODY)
        self.wfile.flush()
        self.close_connection = True
        connection = self.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(connection.detach())  # linger 0: the kernel sends RST instead of FIN

    # --- admin -----------------------------------------------------------------------------------------

    def _admin(self, path: str, query: str) -> None:
        try:
            body = self._read_body()
        except (_BodyTooLarge, ValueError) as error:
            self.close_connection = True
            self._send_plain(400, json_bytes({"error": f"unreadable body: {error}"}))
            return
        status, payload = admin_api.handle(self._emulator, self.command, path, query, body)
        self._send_plain(
            status, b"" if payload is None else json_bytes(payload), with_type=payload is not None
        )

    # --- reading and writing ---------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """The request body (Content-Length or chunked); raises _BodyTooLarge or ValueError."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        if not raw_length.strip().isdigit():
            raise ValueError(f"invalid Content-Length {raw_length!r}")
        length = int(raw_length)
        if length > MAX_READ_BYTES:
            raise _BodyTooLarge
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ValueError(f"invalid chunk size {size_line!r}") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_READ_BYTES:
                raise _BodyTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # CRLF after the chunk

    def _send_error(self, exchange: _Exchange, error: ApiError) -> None:
        self._send(exchange, error_answer(error, exchange.context_id))

    def _send(self, exchange: _Exchange, answer: Answer) -> None:
        """Write an answer (no body for HEAD) with Genesys's correlation header; record its status."""
        exchange.status = answer.status
        self.send_response(answer.status)
        self.send_header("ININ-Correlation-Id", exchange.context_id)
        if answer.content_type is not None:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self._commit(exchange)
        self._finish(answer.body)

    def _send_plain(self, status: int, body: bytes, *, with_type: bool = True) -> None:
        self.send_response(status)
        if with_type:
            self.send_header("Content-Type", "application/json")
        self._finish(body)

    def _finish(self, body: bytes) -> None:
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"
