"""A local Lambda Runtime API: the part of it the runtime interface client (awslambdaric) uses.

Lambda's own runtime process talks to this API to fetch events and post results; here it is served on
loopback so that `python -m awslambdaric app.lambda_handler` runs the handler exactly as on Lambda:

- `GET  /2018-06-01/runtime/invocation/next` blocks until an event is queued, then answers it with the
  event as body and the Lambda-Runtime-* headers (request id, deadline, function ARN, trace id);
- `POST /2018-06-01/runtime/invocation/{id}/response` and `.../{id}/error`: the result;
- `POST /2018-06-01/runtime/init/error`: the handler's module failed to import;
- `GET  /2018-06-01/runtime/restore/next` (SnapStart: blocks until `release_restore()`), and
  `POST /2018-06-01/runtime/restore/error`.

Times are `time.perf_counter()` readings of this process: when the first `/next` poll arrived (init is
over), when an event was handed out and when its result arrived (the invocation's duration).
"""

from __future__ import annotations

import json
import queue
import secrets
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:genesys-participant-data-bench:live"
_POLL_SECONDS = 0.2


@dataclass
class Invocation:
    request_id: str
    body: bytes
    timeout_seconds: float
    delivered_at: float = 0.0
    answered_at: float = 0.0
    result: Any = None
    error: Any = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def seconds(self) -> float:
        """From handing the event to the runtime to receiving its result."""
        return self.answered_at - self.delivered_at


class RuntimeApi:
    """The Runtime API on 127.0.0.1 (a free port); one function process at a time."""

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._invocations: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._first_poll = threading.Event()
        self._restore_polled = threading.Event()
        self._restore_released = threading.Event()
        self.first_poll_at: float | None = None
        self.restore_polled_at: float | None = None
        self.init_error: Any = None
        self.restore_error: Any = None
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="runtime-api", daemon=True)

    @property
    def address(self) -> str:
        """`host:port`, the value of AWS_LAMBDA_RUNTIME_API."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> RuntimeApi:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._restore_released.set()
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget the previous function process (a new cold start follows)."""
        with self._lock:
            # Pollers of the previous process may still be waiting: they keep the old queue, never fed.
            self._pending = queue.Queue()
            self.first_poll_at = self.restore_polled_at = None
            self.init_error = self.restore_error = None
            self._first_poll.clear()
            self._restore_polled.clear()
            self._restore_released.clear()

    def wait_for_init(self, timeout: float) -> float:
        """Block until the runtime polls for its first event (init is done); the perf_counter time of it."""
        if not self._first_poll.wait(timeout) or self.first_poll_at is None:
            raise TimeoutError(f"the runtime did not finish init within {timeout} s ({self.init_error})")
        return self.first_poll_at

    def wait_for_restore_poll(self, timeout: float) -> float:
        if not self._restore_polled.wait(timeout) or self.restore_polled_at is None:
            raise TimeoutError(
                f"the runtime did not ask for a restore within {timeout} s ({self.init_error})"
            )
        return self.restore_polled_at

    def release_restore(self) -> None:
        """Answer the runtime's `/restore/next`: the environment is restored, after-restore hooks run."""
        self._restore_released.set()

    def invoke(self, event: Any, timeout_seconds: float = 15.0) -> Invocation:
        """Queue one event, wait for its result (raises TimeoutError after the timeout plus 5 s)."""
        invocation = Invocation(str(uuid.uuid4()), json.dumps(event).encode(), timeout_seconds)
        with self._lock:
            self._invocations[invocation.request_id] = invocation
        self._pending.put(invocation)
        if not invocation.done.wait(timeout_seconds + 5):
            raise TimeoutError(f"no result for invocation {invocation.request_id}")
        return invocation

    # --- Called by the request handler --------------------------------------------------------------

    def _next(self) -> Invocation | None:
        with self._lock:
            pending = self._pending
            if self.first_poll_at is None:
                self.first_poll_at = time.perf_counter()
                self._first_poll.set()
        while not self._stopping.is_set() and pending is self._pending:
            try:
                return pending.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return None

    def _requeue(self, invocation: Invocation) -> None:
        """The event could not be handed out (the poller's connection is gone): give it to the next one."""
        self._pending.put(invocation)

    def _answer(self, request_id: str, result: Any, *, error: bool) -> bool:
        answered_at = time.perf_counter()
        with self._lock:
            invocation = self._invocations.pop(request_id, None)
        if invocation is None:
            return False
        invocation.answered_at = answered_at
        if error:
            invocation.error = result
        else:
            invocation.result = result
        invocation.done.set()
        return True

    def _restore_next(self) -> bool:
        with self._lock:
            self.restore_polled_at = time.perf_counter()
            self._restore_polled.set()
        while not self._restore_released.wait(_POLL_SECONDS):
            if self._stopping.is_set():
                return False
        return not self._stopping.is_set()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A function process the benchmark stopped resets its connection: not an error worth a trace."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _trace_header() -> str:
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=1"


def _handler_class(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body
        # until the client's delayed ACK (~40 ms on Linux), which would be counted as invocation time.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the benchmark reports what matters

        def do_GET(self) -> None:
            if self.path == f"{PREFIX}/invocation/next":
                self._send_next()
            elif self.path == f"{PREFIX}/restore/next":
                if api._restore_next():
                    self._send(HTTPStatus.OK, b"")
                else:
                    self.close_connection = True
            else:
                self._send(HTTPStatus.NOT_FOUND, b'{"errorMessage": "unknown path"}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            payload = _decode(raw)
            parts = self.path.removeprefix(PREFIX + "/").split("/")
            if parts == ["init", "error"]:
                api.init_error = payload
                api._first_poll.set()
                self._send(HTTPStatus.ACCEPTED, b"{}")
            elif parts == ["restore", "error"]:
                api.restore_error = payload
                self._send(HTTPStatus.ACCEPTED, b"{}")
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in {"response", "error"}:
                known = api._answer(parts[1], payload, error=parts[2] == "error")
                self._send(HTTPStatus.ACCEPTED if known else HTTPStatus.BAD_REQUEST, b"{}")
            else:
                self._send(HTTPStatus.NOT_FOUND, b'{"errorMessage": "unknown path"}')

        def _send_next(self) -> None:
            invocation = api._next()
            if invocation is None:
                self.close_connection = True
                return
            deadline_ms = int((time.time() + invocation.timeout_seconds) * 1000)
            try:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(invocation.body)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline_ms))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN)
                self.send_header("Lambda-Runtime-Trace-Id", _trace_header())
                self.end_headers()
                invocation.delivered_at = time.perf_counter()
                self.wfile.write(invocation.body)
                self.wfile.flush()
            except OSError:
                api._requeue(invocation)
                self.close_connection = True

        def _send(self, status: HTTPStatus, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", errors="replace")
