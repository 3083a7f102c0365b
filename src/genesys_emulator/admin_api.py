"""The admin HTTP API under ``/_emulator/``: the Python API of :class:`GenesysEmulator` over JSON.

For out-of-process users (``make demo``, load tests with many processes, people running the emulator
by hand). No authentication: the emulator only ever listens on loopback. Admin requests are neither
recorded nor subject to faults. Errors answer ``{"error": "..."}`` with 400 (bad input), 404 (unknown
path, client, conversation or participant) or 405 (wrong method).

=======  =====================================================  ============================================
Method   Path                                                   Does
=======  =====================================================  ============================================
GET      /_emulator                                             ``{"base_url", "organization_id"}``
POST     /_emulator/clients                                     add_client (201)
POST     /_emulator/clients/{id}/rotate                         rotate_client_secret
POST     /_emulator/conversations                               create_conversation (201)
GET      /_emulator/conversations/{id}                          get_conversation
POST     /_emulator/conversations/{cid}/participants            add_participant (201)
POST     /_emulator/conversations/{cid}/participants/{pid}/end  end_participant (body optional: end_time)
GET      /_emulator/conversations/{cid}/participants/{pid}/...  participant_attributes (path ends /attributes)
GET      /_emulator/faults                                      queued faults with their remaining counts
POST     /_emulator/faults                                      inject_fault (201)
DELETE   /_emulator/faults                                      clear_faults (204)
GET      /_emulator/tokens                                      ``{"issued_tokens": [...]}``
POST     /_emulator/tokens/revoke                               revoke_tokens (204)
POST     /_emulator/tokens/expire                               expire_tokens (204)
GET/PUT  /_emulator/rate-limit                                  ``{"limit": n|null, "window_seconds": s}``
GET      /_emulator/requests[?method=&path_prefix=]             recorded requests
GET      /_emulator/requests/count[?method=&path_prefix=]       ``{"count": n}``
DELETE   /_emulator/requests                                    clear_requests (204)
POST     /_emulator/reset                                       reset (204)
=======  =====================================================  ============================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from .errors import RATE_LIMIT_WINDOW_SECONDS
from .models import DEFAULT_TOKEN_LIFETIME, Fault

if TYPE_CHECKING:
    from .emulator import GenesysEmulator

Answer = tuple[int, Any]
"""Status and JSON payload (None: no body)."""


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


_Route = Callable[["GenesysEmulator", list[str], dict[str, str], Any], Answer]
_ROUTES: list[tuple[re.Pattern[str], dict[str, _Route]]] = []


def _route(pattern: str, method: str) -> Callable[[_Route], _Route]:
    compiled = re.compile("^/_emulator" + pattern + "$")

    def register(function: _Route) -> _Route:
        for existing, methods in _ROUTES:
            if existing.pattern == compiled.pattern:
                methods[method] = function
                return function
        _ROUTES.append((compiled, {method: function}))
        return function

    return register


def handle(emulator: GenesysEmulator, method: str, path: str, query: str, body: bytes) -> Answer:
    """Answer one admin request: ``(status, payload)``."""
    params = {name: values[0] for name, values in parse_qs(query).items()}
    for pattern, methods in _ROUTES:
        match = pattern.match(path.rstrip("/") or "/")
        if match is None:
            continue
        function = methods.get(method)
        if function is None:
            return 405, {"error": f"{method} is not allowed here; allowed: {', '.join(sorted(methods))}"}
        try:
            document = json.loads(body) if body.strip() else None
        except ValueError:
            return 400, {"error": "the body is not valid JSON"}
        try:
            return function(emulator, [unquote(g) for g in match.groups()], params, document)
        except AdminError as error:
            return error.status, {"error": str(error)}
        except KeyError as error:
            return 404, {"error": error.args[0] if error.args else "not found"}
        except (ValueError, TypeError) as error:
            return 400, {"error": str(error)}
    return 404, {"error": f"no admin endpoint {path}"}


def _object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise AdminError(400, "the body must be a JSON object")
    return document


def _typed(document: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    """``document[name]`` checked against ``kind`` (None allowed when the default is None)."""
    value = document.get(name, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise AdminError(400, f"{name!r} has the wrong type: {value!r}")
    return value


def _only(document: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(document) - allowed
    if unknown:
        raise AdminError(400, f"unknown fields {sorted(unknown)}; allowed: {sorted(allowed)}")


def fault_from_json(document: Any) -> Fault:
    """A :class:`Fault` from its JSON form (the dataclass's field names)."""
    fault = _object(document)
    _only(fault, {"status", "count", "retry_after", "hang_seconds", "action", "method", "path_prefix"})
    hang = _typed(fault, "hang_seconds", (int, float))
    return Fault(
        status=_typed(fault, "status", int),
        count=_typed(fault, "count", int, 1),
        retry_after=_typed(fault, "retry_after", int),
        hang_seconds=None if hang is None else float(hang),
        action=_typed(fault, "action", str),
        method=_typed(fault, "method", str),
        path_prefix=_typed(fault, "path_prefix", str),
    )


@_route("", "GET")
def _status(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, {"base_url": emulator.base_url, "organization_id": emulator.organization_id}


@_route("/clients", "POST")
def _add_client(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    client = _object(body)
    _only(client, {"client_id", "client_secret", "token_lifetime", "name"})
    emulator.add_client(
        _typed(client, "client_id", str, ""),
        _typed(client, "client_secret", str, ""),
        _typed(client, "token_lifetime", int, DEFAULT_TOKEN_LIFETIME),
        _typed(client, "name", str),
    )
    return 201, {"client_id": client["client_id"]}


@_route("/clients/([^/]+)/rotate", "POST")
def _rotate(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    document = _object(body)
    _only(document, {"client_secret"})
    emulator.rotate_client_secret(ids[0], _typed(document, "client_secret", str, ""))
    return 200, {"client_id": ids[0]}


@_route("/conversations", "POST")
def _create_conversation(
    emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any
) -> Answer:
    document = _object(body)
    _only(document, {"participants", "conversation_id"})
    participants = _typed(document, "participants", list, [])
    if not all(isinstance(p, dict) for p in participants):
        raise AdminError(400, "participants must be a list of objects")
    return 201, emulator.create_conversation(participants, _typed(document, "conversation_id", str))


@_route("/conversations/([^/]+)", "GET")
def _get_conversation(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, emulator.get_conversation(ids[0])


@_route("/conversations/([^/]+)/participants", "POST")
def _add_participant(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 201, emulator.add_participant(ids[0], _object(body))


@_route("/conversations/([^/]+)/participants/([^/]+)/end", "POST")
def _end_participant(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    document = _object(body if body is not None else {})
    _only(document, {"end_time"})
    return 200, emulator.end_participant(ids[0], ids[1], _typed(document, "end_time", str))


@_route("/conversations/([^/]+)/participants/([^/]+)/attributes", "GET")
def _attributes(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, emulator.participant_attributes(ids[0], ids[1])


@_route("/faults", "GET")
def _faults(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, [asdict(f) for f in emulator.faults]


@_route("/faults", "POST")
def _inject_fault(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    fault = fault_from_json(body)
    emulator.inject_fault(fault)
    return 201, asdict(fault)


@_route("/faults", "DELETE")
def _clear_faults(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    emulator.clear_faults()
    return 204, None


@_route("/tokens", "GET")
def _tokens(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, {"issued_tokens": emulator.issued_tokens}


@_route("/tokens/revoke", "POST")
def _revoke(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    emulator.revoke_tokens()
    return 204, None


@_route("/tokens/expire", "POST")
def _expire(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    emulator.expire_tokens()
    return 204, None


@_route("/rate-limit", "GET")
def _get_rate_limit(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    limit, window = emulator.state.rate_limit_settings()
    return 200, {"limit": limit, "window_seconds": window}


@_route("/rate-limit", "PUT")
def _set_rate_limit(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    document = _object(body)
    _only(document, {"limit", "window_seconds"})
    if "limit" not in document:
        raise AdminError(400, "'limit' is required (null turns rate limiting off)")
    window = _typed(document, "window_seconds", (int, float), RATE_LIMIT_WINDOW_SECONDS)
    emulator.set_rate_limit(_typed(document, "limit", int), float(window))
    limit, window = emulator.state.rate_limit_settings()
    return 200, {"limit": limit, "window_seconds": window}


@_route("/requests", "GET")
def _requests(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, [asdict(r) for r in emulator.state.recorded(params.get("method"), params.get("path_prefix"))]


@_route("/requests/count", "GET")
def _count(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    return 200, {"count": emulator.count_requests(params.get("method"), params.get("path_prefix"))}


@_route("/requests", "DELETE")
def _clear_requests(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    emulator.clear_requests()
    return 204, None


@_route("/reset", "POST")
def _reset(emulator: GenesysEmulator, ids: list[str], params: dict[str, str], body: Any) -> Answer:
    emulator.reset()
    return 204, None
