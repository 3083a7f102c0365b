"""What the emulated Genesys Cloud answers: the login server and the Platform API endpoints.

The endpoints read an :class:`ApiRequest` and return an :class:`Answer` (or raise the
:class:`~genesys_emulator.errors.ApiError` Genesys would answer); they never touch a socket:
:mod:`genesys_emulator.http_handler` reads requests off the wire, applies faults and writes answers.
Every decision about the emulated org is the state's (:mod:`genesys_emulator.state`). The behaviour
follows docs/genesys-facts.md (each endpoint cites its fact) and the Platform API swagger the emulator
tests compare against, tests/fixtures/genesys-platform-api-subset.swagger.json.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from .errors import ApiError, OAuthError
from .models import OAuthClient
from .state import EmulatorState

MAX_REQUEST_BYTES = 512000
"""Genesys's request size limit: larger bodies get 413 "The request is over the size limit"
(docs/genesys-facts.md#request-size, docs/genesys-facts.md#platform-api-errors)."""

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class Answer:
    """An answer to write: status, body, its content type (None: no Content-Type) and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ApiRequest:
    """A login or Platform API request as the endpoints see it."""

    method: str
    path: str  # without the query string
    authorization: str | None  # the Authorization header
    content_type: str  # the media type of Content-Type, without parameters
    body: bytes
    empty_attributes: bool = False
    """Set by the attributes PATCH once its body is valid and its map is ``{}``: recorded with the request
    (``RecordedRequest.empty_attributes``), whatever the answer."""

    @property
    def token(self) -> str | None:
        return bearer_token(self.authorization)


@dataclass(frozen=True)
class _Call:
    """An authenticated /api/v2 request routed to an endpoint: the request, its client, the path's ids."""

    request: ApiRequest
    client: OAuthClient
    ids: list[str]


def answer(state: EmulatorState, request: ApiRequest) -> Answer:
    """Answer a login or Platform API request; raises :class:`ApiError` for an ``ErrorBody`` answer."""
    if len(request.body) > MAX_REQUEST_BYTES:
        raise ApiError(413, "request.entity.too.large")
    if request.path == "/oauth/token":
        try:
            return _token_endpoint(state, request)
        except OAuthError as error:
            return Answer(error.status, json_bytes(error.body()), headers=_NO_STORE)
    if request.path.startswith("/api/v2/"):
        return _api(state, request)
    raise ApiError(404, "not.found")


def error_answer(error: ApiError, context_id: str) -> Answer:
    """The answer of an :class:`ApiError`: its ``ErrorBody``, whose ``contextId`` is the correlation id."""
    return Answer(error.status, json_bytes(error.body(context_id)), headers=error.headers)


# --- the login server ----------------------------------------------------------------------------------


def _token_endpoint(state: EmulatorState, request: ApiRequest) -> Answer:
    """``POST /oauth/token`` with ``grant_type=client_credentials`` and Basic client auth
    (docs/genesys-facts.md#client-credentials-token; rejections: #rejected-credentials)."""
    if request.method != "POST":
        raise ApiError(405, "method.not.allowed", headers={"Allow": "POST"})
    credentials = _basic_credentials(request.authorization)
    if credentials is None:
        raise OAuthError(401, "invalid_client", "client authentication with HTTP Basic is required")
    client = state.authenticate_client(*credentials)
    if request.content_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
    form = parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True)
    grant_types = form.get("grant_type", [])
    if not grant_types:
        raise OAuthError(400, "invalid_request", "grant_type is required")
    if grant_types[0] != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", f"unsupported grant type: {grant_types[0]}")
    token = state.issue_token(client)
    body = {"access_token": token, "token_type": "bearer", "expires_in": client.token_lifetime}  # nosec B105  # a token type name
    return Answer(200, json_bytes(body), headers=_NO_STORE)


# --- the Platform API ----------------------------------------------------------------------------------


def _api(state: EmulatorState, request: ApiRequest) -> Answer:
    """``/api/v2/...``: bearer token, then the rate limit, then the route (or 404 / 405)."""
    token = request.token
    client = state.authenticate(token)
    assert token is not None  # authenticate() refused a request without one  # nosec B101  # type narrowing
    state.check_rate_limit(token)
    for pattern, methods, endpoint in _API_ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if request.method not in methods:
            raise ApiError(405, "method.not.allowed", headers={"Allow": ", ".join(sorted(methods))})
        return endpoint(state, _Call(request, client, [unquote(g) for g in match.groups()]))
    raise ApiError(404, "not.found")


def _get_conversation(state: EmulatorState, call: _Call) -> Answer:
    """``GET /api/v2/conversations/{conversationId}``: a ``Conversation``, or 404 ``not.found``
    (docs/genesys-facts.md#get-conversation)."""
    return Answer(200, json_bytes(state.conversation_body(call.ids[0])))


def _patch_attributes(state: EmulatorState, call: _Call) -> Answer:
    """``PATCH .../participants/{pid}/attributes``: validate ``ParticipantAttributes``, merge, 202.

    Body schema: swagger definitions/ParticipantAttributes (``attributes``: map of string to string).
    The answer is 202 with an empty body (docs/genesys-facts.md#participant-attributes-patch) and the
    update is a per-key merge (docs/genesys-facts.md#merge-vs-replace). An empty map is accepted and
    changes nothing, but is recorded (``RecordedRequest.empty_attributes``): what Genesys does with
    ``{}`` is unconfirmed. Other top-level properties are ignored.
    """
    request = call.request
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported.media.type")
    try:
        document = json.loads(request.body)
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
    request.empty_attributes = not attributes
    state.merge_attributes(call.ids[0], call.ids[1], attributes)
    return Answer(202, b"", content_type=None)


def _organization_me(state: EmulatorState, call: _Call) -> Answer:
    """``GET /api/v2/organizations/me``: a probe a client-credentials token may call
    (docs/genesys-facts.md#token-probes)."""
    organization = {
        "id": state.org_id,
        "name": state.org_name,
        "selfUri": f"/api/v2/organizations/{state.org_id}",
    }
    return Answer(200, json_bytes(organization))


def _tokens_me(state: EmulatorState, call: _Call) -> Answer:
    """``GET``/``HEAD /api/v2/tokens/me``: the ``TokenInfo`` of a client-credentials token
    (docs/genesys-facts.md#token-probes)."""
    org = {"id": state.org_id, "name": state.org_name}
    token_info = {
        "organization": dict(org),
        "homeOrganization": dict(org),
        "OAuthClient": {
            "id": call.client.client_id,
            "name": call.client.name or call.client.client_id,
            "organization": org,
        },
    }
    return Answer(200, json_bytes(token_info))


_READS = frozenset({"GET", "HEAD"})
_API_ROUTES: tuple[tuple[re.Pattern[str], frozenset[str], Callable[[EmulatorState, _Call], Answer]], ...] = (
    (re.compile(r"^/api/v2/conversations/([^/]+)$"), _READS, _get_conversation),
    (
        re.compile(r"^/api/v2/conversations/([^/]+)/participants/([^/]+)/attributes$"),
        frozenset({"PATCH"}),
        _patch_attributes,
    ),
    (re.compile(r"^/api/v2/organizations/me$"), _READS, _organization_me),
    (re.compile(r"^/api/v2/tokens/me$"), _READS, _tokens_me),
)
"""The Platform API endpoints: path pattern (ids captured), methods, endpoint."""


# --- helpers -------------------------------------------------------------------------------------------


def json_bytes(payload: Any) -> bytes:
    """A JSON body."""
    return json.dumps(payload).encode("utf-8")


def _invalid_value(value: Any, field_type: str) -> ApiError:
    shown = json.dumps(value)
    return ApiError(
        400, "invalid.value", params={"value": shown, "type": field_type, "allowed": "any string"}
    )


def bearer_token(authorization: str | None) -> str | None:
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
