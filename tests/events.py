"""The sample events in events/ and the deployment-shape events in tests/fixtures/api_gateway_events/,
loaded and reshaped for tests."""

from __future__ import annotations

import base64
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"
DEPLOYMENT_EVENTS = Path(__file__).resolve().parent / "fixtures" / "api_gateway_events"
CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
ROUTE = "/conversations/{conversationId}/participants/{participantId}/attributes"
# What every sample event in events/ sets, as Genesys stores it (the events send priority_level as 5).
SAMPLE_ATTRIBUTES = {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": "5"}
# tests/fixtures/api_gateway_events/<name>.json: the same request as API Gateway sends it in each
# deployment shape (see that folder's README).
DEPLOYMENT_SHAPES = (
    "rest-execute-api",
    "rest-custom-domain-base-path",
    "http-default-stage",
    "http-named-stage",
    "http-custom-domain",
)


@cache
def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def event(name: str) -> dict[str, Any]:
    """A fresh copy of events/<name>.json."""
    return copy.deepcopy(_load(EVENTS / f"{name}.json"))


def deployment_event(shape: str) -> dict[str, Any]:
    """A fresh copy of tests/fixtures/api_gateway_events/<shape>.json (one of DEPLOYMENT_SHAPES)."""
    return copy.deepcopy(_load(DEPLOYMENT_EVENTS / f"{shape}.json"))


def api_event(
    kind: str = "rest",
    *,
    conversation_id: str = CONVERSATION,
    participant_id: str = PARTICIPANT,
    body: object = None,
    raw_body: str | None = None,
    base64_body: bool = False,
    method: str = "PATCH",
    content_type: str | None = "application/json",
    route: str = ROUTE,
    path: str | None = None,
) -> dict[str, Any]:
    """An API Gateway event ("rest" = REST API v1, "http" = HTTP API v2), for the attributes route unless
    `route` names another: the route API Gateway resolved (a REST `resource`, an HTTP API route key's path,
    or a whole route key such as `$default`). `path` is the raw path (by default the route's, filled in)."""
    result = event("api-gateway-rest" if kind == "rest" else "api-gateway-http")
    ids = {"conversationId": conversation_id, "participantId": participant_id}
    path = path or (ROUTE.format(**ids) if route == ROUTE else route)
    text = raw_body if raw_body is not None else json.dumps(body) if body is not None else result["body"]
    if base64_body:
        text = base64.b64encode(text.encode("utf-8", errors="surrogatepass")).decode()
    result["body"] = text
    result["isBase64Encoded"] = base64_body
    # API Gateway resolves the IDs for the route only; other routes here have no path parameters.
    result["pathParameters"] = ids if route == ROUTE else None
    if kind == "rest":
        result["resource"] = result["requestContext"]["resourcePath"] = route
        result["path"], result["httpMethod"] = path, method
        result["requestContext"]["httpMethod"] = method
        result["requestContext"]["path"] = f"/{result['requestContext']['stage']}{path}"
        headers = result["headers"]
        result["multiValueHeaders"].pop("Content-Type", None)
        header_name = "Content-Type"
    else:
        result["rawPath"] = path
        result["requestContext"]["http"]["method"] = method
        result["requestContext"]["http"]["path"] = path
        result["routeKey"] = result["requestContext"]["routeKey"] = (
            route if route.startswith("$") else f"{method} {route}"
        )
        headers = result["headers"]
        header_name = "content-type"
    headers.pop(header_name, None)
    if content_type is not None:
        headers[header_name] = content_type
        if kind == "rest":
            result["multiValueHeaders"][header_name] = [content_type]
    return result


def sample_answer(*, queued: bool = False) -> dict[str, Any]:
    """The service's answer to a sample event (an API response's body, a direct invocation's result)."""
    return {
        "conversationId": CONVERSATION,
        "participantId": PARTICIPANT,
        "updatedKeys": list(SAMPLE_ATTRIBUTES),
        "updatedCount": 3,
        "queued": queued,
    }


def response_body(response: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(response["body"])
    return document


def response_header(response: dict[str, Any], name: str) -> str | None:
    """A header of a proxy response: REST API answers use multiValueHeaders, HTTP API ones headers."""
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return str(values[0])
    return None
