"""The loopback HTTP server and :class:`GenesysEmulator`, its in-process Python API.

One base URL serves the login path (``POST /oauth/token``), the Platform API paths (``/api/v2/...``)
and the emulator's own admin API (``/_emulator/...``, see :mod:`genesys_emulator.admin_api`). The wire
behaviour follows ``genesys-api-notes.md`` and the Platform API swagger
(``genesys-platform-api-subset.swagger.json``); docs/emulator.md describes it for users.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import json
import logging
import os
import re
import socket
import socketserver
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from . import admin_api
from .container_network import container_network_address
from .errors import RATE_LIMIT_WINDOW_SECONDS, ApiError, NonLoopbackHostError, OAuthError
from .models import (
    DEFAULT_TOKEN_LIFETIME,
    ConversationInfo,
    Fault,
    OAuthClient,
    ParticipantInfo,
    RecordedRequest,
)
from .state import EmulatorState

logger = logging.getLogger("genesys_emulator")

MAX_REQUEST_BYTES = 512000
"""The platform's request size limit: larger bodies get 413 "The request is over the size limit" (notes)."""

MAX_READ_BYTES = 16 * 1024 * 1024
"""Bodies up to this size are read (so that the 413 reaches the client); larger ones close the connection."""

IDLE_CONNECTION_TIMEOUT = 60.0
"""Seconds an idle keep-alive connection is kept open."""

_RESET_ANNOUNCED_LENGTH = 4096
_RESET_PARTIAL_BODY = b'{"access_token": "trunc'
_MALFORMED_JSON_BODY = b'{"access_token": "malformed", "token_type": "bearer", "expires_in": '


def loopback_address(host: str) -> tuple[str, socket.AddressFamily]:
    """The address to bind for ``host`` and its family; refuses anything that is not loopback.

    Accepts "localhost" (bound as 127.0.0.1), any 127.0.0.0/8 address and ::1 (brackets allowed).
    """
    if host == "localhost":
        return "127.0.0.1", socket.AF_INET
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise NonLoopbackHostError(
            f"refusing to listen on {host!r}: the Genesys emulator has no authentication of its own and "
            "only listens on loopback (127.0.0.1, localhost or ::1)"
        )
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    return str(address), family


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


@dataclass(frozen=True)
class _Call:
    """An authenticated /api/v2 request routed to an endpoint: the path's ids and the raw body."""

    exchange: _Exchange
    client: OAuthClient
    ids: list[str]
    body: bytes


class _BodyTooLarge(Exception):
    """The body is larger than :data:`MAX_READ_BYTES`: answer 413 without reading it and close."""


class _Server(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) that knows its open connections, to close them on stop."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # socketserver's 5 drops connection bursts (a 1 s SYN retry each)

    def __init__(
        self, address: tuple[str, int], family: socket.AddressFamily, emulator: GenesysEmulator
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_changed = threading.Condition()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a needless (and possibly slow) DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_changed:
            self._connections.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_changed:
                self._connections.discard(request)
                self._connections_changed.notify_all()

    def close_connections(self, timeout: float) -> None:
        """Shut down every open connection (idle keep-alive ones too) and wait for their threads."""
        with self._connections_changed:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections_changed.wait_for(lambda: not self._connections, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Connections the client or stop() broke are routine here; anything else is a bug worth a trace.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "GenesysEmulator/1.0"
    sys_version = ""
    timeout = IDLE_CONNECTION_TIMEOUT
    server: _Server

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
            token=_bearer_token(self.headers.get("Authorization")),
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
        try:
            if len(body) > MAX_REQUEST_BYTES:
                raise ApiError(413, "request.entity.too.large")
            if exchange.path == "/oauth/token":
                self._token_endpoint(exchange, body)
            elif exchange.path.startswith("/api/v2/"):
                self._api(exchange, body)
            else:
                raise ApiError(404, "not.found")
        except ApiError as error:
            self._send_error(exchange, error)
        except OAuthError as error:
            self._send(exchange, error.status, _json(error.body()), headers=_NO_STORE)

    # --- the login server ------------------------------------------------------------------------------

    def _token_endpoint(self, exchange: _Exchange, body: bytes) -> None:
        """``POST /oauth/token`` with ``grant_type=client_credentials`` and Basic client auth (api notes)."""
        if exchange.method != "POST":
            raise ApiError(405, "method.not.allowed", headers={"Allow": "POST"})
        credentials = _basic_credentials(self.headers.get("Authorization"))
        if credentials is None:
            raise OAuthError(401, "invalid_client", "client authentication with HTTP Basic is required")
        client = self._state.authenticate_client(*credentials)
        if self.headers.get_content_type() != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        grant_types = form.get("grant_type", [])
        if not grant_types:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if grant_types[0] != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", f"unsupported grant type: {grant_types[0]}")
        token = self._state.issue_token(client)
        answer = {"access_token": token, "token_type": "bearer", "expires_in": client.token_lifetime}  # nosec B105  # a token type name
        self._send(exchange, 200, _json(answer), headers=_NO_STORE)

    # --- the Platform API ------------------------------------------------------------------------------

    def _api(self, exchange: _Exchange, body: bytes) -> None:
        """``/api/v2/...``: bearer token, then the rate limit, then the route (or 404 / 405)."""
        client = self._state.authenticate(exchange.token)
        assert exchange.token is not None  # authenticate() refused a request without one  # nosec B101  # type narrowing
        self._state.check_rate_limit(exchange.token)
        for pattern, methods, endpoint in _API_ROUTES:
            match = pattern.match(exchange.path)
            if match is None:
                continue
            if exchange.method not in methods:
                raise ApiError(405, "method.not.allowed", headers={"Allow": ", ".join(sorted(methods))})
            endpoint(self, _Call(exchange, client, [unquote(g) for g in match.groups()], body))
            return
        raise ApiError(404, "not.found")

    def _get_conversation(self, call: _Call) -> None:
        """``GET /api/v2/conversations/{conversationId}``: a ``Conversation``, or 404 ``not.found``."""
        self._send(call.exchange, 200, _json(self._state.conversation_body(call.ids[0])))

    def _patch_attributes(self, call: _Call) -> None:
        """``PATCH .../participants/{pid}/attributes``: validate ``ParticipantAttributes``, merge, 202.

        Body schema: swagger definitions/ParticipantAttributes (``attributes``: map of string to
        string). The answer is 202 with an empty body and the update is a per-key merge (api notes,
        "The endpoint we call"). An empty map is accepted and changes nothing, but is recorded
        (``RecordedRequest.empty_attributes``): what Genesys does with ``{}`` is unconfirmed.
        Other top-level properties are ignored.
        """
        if self.headers.get_content_type() != "application/json":
            raise ApiError(415, "unsupported.media.type")
        try:
            document = json.loads(call.body)
        except ValueError:
            raise ApiError(400, "bad.request", "The request body is not valid JSON.") from None
        if not isinstance(document, dict):
            raise ApiError(400, "bad.request", "The request body must be a JSON object.")
        if "attributes" not in document or document["attributes"] is None:
            raise ApiError(400, "bad.request", "The request body is missing the required field [attributes].")
        attributes = document["attributes"]
        if not isinstance(attributes, dict):
            raise _invalid_value(attributes, "map of string to string")
        for value in attributes.values():
            if not isinstance(value, str):
                raise _invalid_value(value, "string")
        call.exchange.empty_attributes = not attributes
        self._state.merge_attributes(call.ids[0], call.ids[1], attributes)
        self._send(call.exchange, 202, b"", content_type=None)

    def _organization_me(self, call: _Call) -> None:
        """``GET /api/v2/organizations/me``: a health-check probe (api notes)."""
        state = self._state
        organization = {
            "id": state.org_id,
            "name": state.org_name,
            "selfUri": f"/api/v2/organizations/{state.org_id}",
        }
        self._send(call.exchange, 200, _json(organization))

    def _tokens_me(self, call: _Call) -> None:
        """``GET``/``HEAD /api/v2/tokens/me``: the ``TokenInfo`` of a client-credentials token (a probe)."""
        org = {"id": self._state.org_id, "name": self._state.org_name}
        token_info = {
            "organization": dict(org),
            "homeOrganization": dict(org),
            "OAuthClient": {
                "id": call.client.client_id,
                "name": call.client.name or call.client.client_id,
                "organization": org,
            },
        }
        self._send(call.exchange, 200, _json(token_info))

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
            self._send(exchange, fault.status or 200, _MALFORMED_JSON_BODY)
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
            self._send_plain(400, _json({"error": f"unreadable body: {error}"}))
            return
        status, payload = admin_api.handle(self._emulator, self.command, path, query, body)
        self._send_plain(status, b"" if payload is None else _json(payload), with_type=payload is not None)

    # --- wire helpers ----------------------------------------------------------------------------------

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
        self._send(exchange, error.status, _json(error.body(exchange.context_id)), headers=error.headers)

    def _send(
        self,
        exchange: _Exchange,
        status: int,
        body: bytes,
        *,
        content_type: str | None = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Write an answer (no body for HEAD) with Genesys's correlation header; record its status."""
        exchange.status = status
        self.send_response(status)
        self.send_header("ININ-Correlation-Id", exchange.context_id)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._commit(exchange)
        self._finish(body)

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


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_READS = frozenset({"GET", "HEAD"})
_API_ROUTES: tuple[tuple[re.Pattern[str], frozenset[str], Callable[[_Handler, _Call], None]], ...] = (
    (re.compile(r"^/api/v2/conversations/([^/]+)$"), _READS, _Handler._get_conversation),
    (
        re.compile(r"^/api/v2/conversations/([^/]+)/participants/([^/]+)/attributes$"),
        frozenset({"PATCH"}),
        _Handler._patch_attributes,
    ),
    (re.compile(r"^/api/v2/organizations/me$"), _READS, _Handler._organization_me),
    (re.compile(r"^/api/v2/tokens/me$"), _READS, _Handler._tokens_me),
)
"""The Platform API endpoints: path pattern (ids captured), methods, endpoint."""


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode("utf-8")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def _invalid_value(value: Any, field_type: str) -> ApiError:
    shown = json.dumps(value)
    return ApiError(
        400, "invalid.value", params={"value": shown, "type": field_type, "allowed": "any string"}
    )


def _bearer_token(authorization: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from ``Authorization: Basic base64(id:secret)``, else None."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        return None
    return client_id, secret


class GenesysEmulator:
    """A local Genesys Cloud (login + Platform API subset) on loopback, with fault injection.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with GenesysEmulator() as emu:
            emu.add_client("client-id", "secret")
            conv = emu.create_conversation([{"purpose": "customer"}])
            ...  # point the code under test at emu.base_url

    ``clients`` and ``rate_limit`` are the start-up configuration that :meth:`reset` returns to.
    ``log_requests`` logs one line per answered request on the "genesys_emulator" logger (INFO); tokens
    and bodies are never logged. Every method is thread-safe and works before :meth:`start` too.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clients: Iterable[OAuthClient] = (),
        rate_limit: int | None = None,
        log_requests: bool = False,
        container_network: bool = False,
    ) -> None:
        # container_network: every interface of the container this runs in, instead of `host` (make invoke).
        self._address, self._family = (
            container_network_address() if container_network else loopback_address(host)
        )
        self._requested_port = port
        self.state = EmulatorState(clients, rate_limit)
        self.log_requests = log_requests
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free port) and serve in a daemon thread. An emulator starts only once."""
        with self._lifecycle:
            if self._server is not None or self.stopping.is_set():
                raise RuntimeError("this emulator was already started; create a new GenesysEmulator")
            server = _Server((self._address, self._requested_port), self._family, self)
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                name="genesys-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: release hung requests, close every connection, wait for the handler threads."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            if server is None or self.stopping.is_set():
                self.stopping.set()
                return
            self.stopping.set()
        # shutdown() waits for serve_forever() to notice, which polls every 0.5 s unless woken: a
        # connection to the listening socket wakes it at once.
        stopper = threading.Thread(target=server.shutdown, name="genesys-emulator-stop")
        stopper.start()
        with contextlib.suppress(OSError):
            socket.create_connection((self._address, int(server.server_address[1])), timeout=1.0).close()
        stopper.join()
        server.server_close()
        server.close_connections(timeout)
        if thread is not None:
            thread.join(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None and not self.stopping.is_set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started: call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``http://[::1]:PORT`` on IPv6): login and API share it."""
        host = f"[{self._address}]" if self._family == socket.AF_INET6 else self._address
        return f"http://{host}:{self.port}"

    @property
    def organization_id(self) -> str:
        return self.state.org_id

    # --- OAuth clients and tokens ----------------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        name: str | None = None,
    ) -> None:
        """Accept this client-credentials client (or replace the one with this id)."""
        self.state.add_client(OAuthClient(client_id, client_secret, token_lifetime, name))

    def rotate_client_secret(self, client_id: str, new_secret: str) -> None:
        """Replace a client's secret; the old secret is rejected afterwards. KeyError if unknown."""
        self.state.rotate_client_secret(client_id, new_secret)

    def revoke_tokens(self) -> None:
        """Revoke every token issued so far (they answer 401 ``bad.credentials``)."""
        self.state.revoke_tokens()

    def expire_tokens(self) -> None:
        """Expire every token issued so far (they answer 401 ``bad.credentials``)."""
        self.state.expire_tokens()

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token ever issued (since the last reset), oldest first."""
        return self.state.issued_tokens()

    def set_rate_limit(self, limit: int | None, window_seconds: float = RATE_LIMIT_WINDOW_SECONDS) -> None:
        """At most ``limit`` /api/v2 requests per token per sliding window (Genesys: 300/min); None: off."""
        self.state.set_rate_limit(limit, window_seconds)

    # --- conversations ---------------------------------------------------------------------------------

    def create_conversation(
        self, participants: Sequence[Mapping[str, Any]], conversation_id: str | None = None
    ) -> ConversationInfo:
        """Seed a conversation; participant keys (all optional): id, purpose, state, attributes,
        start_time, connected_time, end_time (see :class:`ParticipantSpec`)."""
        return self.state.create_conversation(participants, conversation_id)

    def add_participant(self, conversation_id: str, participant: Mapping[str, Any]) -> ParticipantInfo:
        """A participant joins the conversation (a transfer, a callback); keys as when seeding.
        KeyError if the conversation is unknown, ValueError for a bad spec or a duplicate id."""
        return self.state.add_participant(conversation_id, participant)

    def end_participant(
        self, conversation_id: str, participant_id: str, end_time: datetime | str | None = None
    ) -> ParticipantInfo:
        """The participant leaves: ``endTime`` (now unless given) and its call ``disconnected``; it
        stays listed. KeyError if the conversation or participant is unknown."""
        return self.state.end_participant(conversation_id, participant_id, end_time)

    def get_conversation(self, conversation_id: str) -> ConversationInfo:
        """A seeded conversation with its participants' current attributes. KeyError if unknown."""
        return self.state.conversation_info(conversation_id)

    def participant_attributes(self, conversation_id: str, participant_id: str) -> dict[str, str]:
        """A copy of a participant's attributes. KeyError if the conversation or participant is unknown."""
        return self.state.participant_attributes(conversation_id, participant_id)

    # --- faults ----------------------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        """Queue a fault (see :class:`Fault`)."""
        self.state.inject_fault(fault)

    def clear_faults(self) -> None:
        self.state.clear_faults()

    @property
    def faults(self) -> list[Fault]:
        """The queued faults, each with its remaining count."""
        return self.state.pending_faults()

    # --- recorded requests -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every login and API request answered since the last clear (admin requests are not recorded)."""
        return self.state.recorded()

    def count_requests(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many recorded requests have this method and/or a path under this prefix."""
        return len(self.state.recorded(method, path_prefix))

    def clear_requests(self) -> None:
        self.state.clear_requests()

    def reset(self) -> None:
        """Back to the start-up configuration: tokens, conversations, faults, requests, added clients."""
        self.state.reset()


__all__ = ["GenesysEmulator", "loopback_address"]
