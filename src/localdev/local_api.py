"""A local stand-in for the template's API Gateway REST API, in front of the real Lambda handler.

Each HTTP request becomes the REST API (v1) Lambda proxy event API Gateway would send for the route that
template.yaml declares (path, method, stage and API key requirement are read from it; events/api-gateway-
rest.json shows the shape), and the handler's proxy response becomes the HTTP answer. By default the API
is served as on its execute-api URL (`/{stage}/...`; the event's `path` has no stage); with `base_path` it
is served as behind a custom domain whose base path mapping points at the stage (`/{base_path}/...`; the
event's `path` keeps the base path, as API Gateway's does). Either way the event carries the `resource`
and `pathParameters` API Gateway resolved. API Gateway's own answers are reproduced with their default
bodies:

- no route for the path, or a method the route does not declare: 403 `{"message":"Missing Authentication
  Token"}` (AWS knowledge center, "API Gateway authentication token errors");
- a missing or wrong `x-api-key` on a route that requires one: 403 `{"message":"Forbidden"}`;
- a body over API Gateway's 10 MB payload quota: 413 (AWS "API Gateway quotas"); an event over Lambda's
  6 MB synchronous payload quota: 413 `{"message": "Request Too Long"}`;
- a handler that raises, times out or answers a malformed proxy response: 502 `{"message": "Internal
  server error"}` (AWS Lambda guide, "Handling Lambda errors with an API Gateway API").

Invocations run one at a time, as in a single warm Lambda container. Loopback only: there is no TLS.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import queue
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

from localdev.lambda_context import LocalLambdaContext
from localdev.template import TEMPLATE, load_template

FUNCTION = "ParticipantDataFunction"
LOOPBACK = "127.0.0.1"
API_KEY_HEADER = "x-api-key"
PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024  # API Gateway REST payload quota (not adjustable)
LAMBDA_EVENT_LIMIT_BYTES = 6 * 1024 * 1024  # Lambda's synchronous invocation payload quota
INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway REST's default integration timeout
LOCAL_ACCOUNT, LOCAL_API_ID = "123456789012", "local"

LambdaHandler = Callable[[dict[str, Any], Any], Any]


# --- The route, from template.yaml ---------------------------------------------------------------------


@dataclass(frozen=True)
class RestApiRoute:
    """The one API Gateway route in front of the function, as deployed."""

    resource: str
    method: str
    stage: str
    api_key_required: bool
    function_timeout_seconds: float

    def path_parameters(self, path: str) -> dict[str, str] | None:
        """The `{name}` values of `path` (stage removed, still percent-encoded) if it is this resource."""
        wanted, given = self.resource.split("/"), path.split("/")
        if len(wanted) != len(given):
            return None
        parameters: dict[str, str] = {}
        for pattern, segment in zip(wanted, given, strict=True):
            if pattern.startswith("{") and pattern.endswith("}") and segment:
                parameters[pattern[1:-1]] = unquote(segment)  # REST APIs decode path parameters
            elif pattern != segment:
                return None
        return parameters


def route_from_template(template: Path = TEMPLATE, function: str = FUNCTION) -> RestApiRoute:
    """Read the function's `Api` event, its API's stage (a parameter's default) and its Lambda timeout."""
    document = load_template(template)
    resources, parameters = document["Resources"], document.get("Parameters", {})
    properties = resources[function]["Properties"]
    (event,) = (e["Properties"] for e in properties["Events"].values() if e["Type"] == "Api")
    api = resources[event["RestApiId"]["Ref"]]["Properties"]
    stage = api["StageName"]
    if isinstance(stage, dict):
        stage = parameters[stage["Ref"]]["Default"]
    timeout = properties.get("Timeout", document.get("Globals", {}).get("Function", {}).get("Timeout", 3))
    key_required = event.get("Auth", {}).get("ApiKeyRequired", api.get("Auth", {}).get("ApiKeyRequired"))
    return RestApiRoute(
        resource=event["Path"],
        method=event["Method"].upper(),
        stage=str(stage),
        api_key_required=bool(key_required),
        function_timeout_seconds=float(timeout),
    )


# --- Requests and answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingRequest:
    """One HTTP request as it reached the local API."""

    method: str
    target: str  # path and query as sent, percent-encoded
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


@dataclass
class Answer:
    """An HTTP answer: status, headers (a name may repeat) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def gateway_answer(status: int, message: str, error_type: str) -> Answer:
    """One of API Gateway's own answers, with its default `{"message": ...}` body."""
    body = json.dumps({"message": message}).encode()
    return Answer(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)], body)


MISSING_AUTHENTICATION_TOKEN = ("Missing Authentication Token", "MissingAuthenticationTokenException")
FORBIDDEN = ("Forbidden", "ForbiddenException")
INTERNAL_SERVER_ERROR = ("Internal server error", "InternalServerErrorException")


def build_event(
    request: IncomingRequest,
    route: RestApiRoute,
    path_parameters: Mapping[str, str],
    api_key: str | None,
    base_path: str | None = None,
) -> dict[str, Any]:
    """The Lambda proxy event API Gateway's REST API sends for `request` on `route`: on the execute-api
    URL, or (`base_path`) behind a custom domain with that base path mapping."""
    split = urlsplit(request.target)
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:  # a repeated header: `headers` keeps the last value
        known = next((key for key in multi_headers if key.lower() == name.lower()), name)
        headers[known] = value
        multi_headers.setdefault(known, []).append(value)
    query = parse_qsl(split.query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    user_agent = header_value(request.headers, "user-agent")
    host = header_value(request.headers, "host") or LOOPBACK
    now = time.time()
    request_id = str(uuid.uuid4())
    body, is_base64 = _event_body(request.body)
    return {
        "resource": route.resource,
        # execute-api: the path without the stage; a custom domain: the path as asked, base path and all.
        "path": split.path if base_path else split.path.removeprefix(f"/{route.stage}"),
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": dict(query) or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": LOCAL_ACCOUNT,
            "resourceId": "local",
            "stage": route.stage,
            "requestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "accessKey": None,
                "sourceIp": request.source_ip,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
                "apiKey": api_key,
                "apiKeyId": "local-api-key" if api_key else None,
            },
            "path": split.path,  # as the client asked for it: with the stage, or with the base path
            "resourcePath": route.resource,
            "httpMethod": request.method,
            "apiId": LOCAL_API_ID,
            "protocol": "HTTP/1.1",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": request_id,
            "deploymentId": "local",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """The value of header `name` (any case); the last one when it repeats, as in the event's `headers`."""
    return next((value for key, value in reversed(headers) if key.lower() == name), None)


def _event_body(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def proxy_answer(response: Any) -> Answer:
    """The HTTP answer for a Lambda proxy response; ValueError when API Gateway would find it malformed."""
    if not isinstance(response, dict) or type(response.get("statusCode")) is not int:
        raise ValueError("not a Lambda proxy response")
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
    # Both maps are merged; for a name in both, only the multiValueHeaders values are kept.
    headers.update({k: [str(v) for v in vs] for k, vs in (response.get("multiValueHeaders") or {}).items()})
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = ["application/json"]  # API Gateway's default for a proxy answer
    body = response.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if response.get("isBase64Encoded") else body.encode()
    except (binascii.Error, AttributeError) as error:
        raise ValueError("undecodable body") from error
    return Answer(response["statusCode"], [(k, v) for k, vs in headers.items() for v in vs], raw)


# --- The server ----------------------------------------------------------------------------------------


class LocalApi:
    """The local REST API on loopback (a free port by default): `.url` is the stage's base URL, or with
    `base_path` the base URL of a custom domain whose base path mapping (e.g. "v1") points at the stage."""

    def __init__(
        self,
        handler: LambdaHandler,
        api_key: str,
        *,
        route: RestApiRoute | None = None,
        port: int = 0,
        base_path: str | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.handler = handler
        self.api_key = api_key
        self.route = route or route_from_template()
        self.base_path = (base_path or "").strip("/") or None
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._one_invocation_at_a_time = threading.Lock()
        self._server = _Server((LOOPBACK, port), self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/{self.base_path or self.route.stage}"

    def start(self) -> Self:
        # A short poll interval: stop() waits for serve_forever to notice, up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="local-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def answer(self, request: IncomingRequest) -> Answer:
        """What API Gateway, then the function, answer to `request`."""
        path = urlsplit(request.target).path
        prefix = f"/{self.base_path or self.route.stage}/"
        parameters = self.route.path_parameters("/" + path.removeprefix(prefix))
        if not path.startswith(prefix) or parameters is None or request.method != self.route.method:
            return gateway_answer(403, *MISSING_AUTHENTICATION_TOKEN)
        api_key = header_value(request.headers, API_KEY_HEADER)
        if self.route.api_key_required and not (
            api_key is not None and hmac.compare_digest(api_key.encode(), self.api_key.encode())
        ):
            return gateway_answer(403, *FORBIDDEN)
        event = build_event(request, self.route, parameters, api_key, self.base_path)
        if len(json.dumps(event).encode()) > LAMBDA_EVENT_LIMIT_BYTES:
            return gateway_answer(413, "Request Too Long", "BadRequestException")
        return self._invoke(event)

    def _invoke(self, event: dict[str, Any]) -> Answer:
        """Run the handler in its own (daemon) thread, so a hung one can be timed out as Lambda would."""
        started = threading.Event()
        outcome: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        timeout = self.route.function_timeout_seconds

        def invoke() -> None:
            with self._one_invocation_at_a_time:
                started.set()
                try:
                    outcome.put((True, self.handler(event, LocalLambdaContext(timeout_seconds=timeout))))
                except BaseException as error:  # Lambda reports any failure the same way
                    outcome.put((False, error))

        threading.Thread(target=invoke, name="local-api-invocation", daemon=True).start()
        if not started.wait(INTEGRATION_TIMEOUT_SECONDS):
            return gateway_answer(504, "Endpoint request timed out", "InternalServerErrorException")
        try:
            returned, result = outcome.get(timeout=timeout)
        except queue.Empty:
            self.log(f"the handler did not return within the function's {timeout:g} s timeout")
            return gateway_answer(502, *INTERNAL_SERVER_ERROR)
        if not returned:
            self.log("the handler raised:\n" + "".join(traceback.format_exception(result)).rstrip())
            return gateway_answer(502, *INTERNAL_SERVER_ERROR)
        try:
            return proxy_answer(result)
        except ValueError:
            self.log("the handler returned a malformed Lambda proxy response")
            return gateway_answer(502, *INTERNAL_SERVER_ERROR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], api: LocalApi) -> None:
        self.api = api
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway
    server: _Server

    def _handle(self) -> None:
        started = time.monotonic()
        answer = self._read_and_answer()
        # Logged before the answer is sent, so a caller that has its answer also finds the line.
        path = urlsplit(self.path).path  # never the query or the body: they may hold caller data
        elapsed_ms = (time.monotonic() - started) * 1000
        self.server.api.log(f"{self.command} {path} {answer.status} {elapsed_ms:.0f} ms")
        answer.headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def __getattr__(self, name: str) -> Any:
        # Any method (TRACE, PROPFIND, ...) reaches the gateway's checks: API Gateway answers them all.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _read_and_answer(self) -> Answer:
        body = self._read_body()
        if body is None:
            self.close_connection = True  # the body was left unread
            return Answer(413, [("Content-Type", "text/plain; charset=utf-8")], _TOO_LARGE)
        request = IncomingRequest(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        return self.server.api.answer(request)

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is over API Gateway's payload quota."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return None if length > PAYLOAD_LIMIT_BYTES else self.rfile.read(length)

    def _read_chunked(self) -> bytes | None:
        body = bytearray()
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            if len(body) + size > PAYLOAD_LIMIT_BYTES:
                return None
            body += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline().strip():  # trailers
            pass
        return bytes(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `_handle` logs one line per request, without the query string."""


_TOO_LARGE = f"HTTP content length exceeded {PAYLOAD_LIMIT_BYTES} bytes.".encode()
