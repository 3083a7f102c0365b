"""The sample events in events/, loaded and reshaped for tests."""

from __future__ import annotations

import base64
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"
CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@cache
def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return document


def event(name: str) -> dict[str, Any]:
    """A fresh copy of events/<name>.json."""
    return copy.deepcopy(_load(name))


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
    path: str | None = None,
) -> dict[str, Any]:
    """An API Gateway event ("rest" = REST API v1, "http" = HTTP API v2) for the attributes route."""
    result = event("api-gateway-rest" if kind == "rest" else "api-gateway-http")
    path = path or f"/conversations/{conversation_id}/participants/{participant_id}/attributes"
    text = raw_body if raw_body is not None else json.dumps(body) if body is not None else result["body"]
    if base64_body:
        text = base64.b64encode(text.encode("utf-8", errors="surrogatepass")).decode()
    result["body"] = text
    result["isBase64Encoded"] = base64_body
    result["pathParameters"] = {"conversationId": conversation_id, "participantId": participant_id}
    if kind == "rest":
        result["path"], result["httpMethod"] = path, method
        result["requestContext"]["httpMethod"] = method
        headers = result["headers"]
        result["multiValueHeaders"].pop("Content-Type", None)
        header_name = "Content-Type"
    else:
        result["rawPath"] = path
        result["requestContext"]["http"]["method"] = method
        result["requestContext"]["http"]["path"] = path
        result["routeKey"] = (
            f"{method} /conversations/{{conversationId}}/participants/{{participantId}}/attributes"
        )
        headers = result["headers"]
        header_name = "content-type"
    headers.pop(header_name, None)
    if content_type is not None:
        headers[header_name] = content_type
        if kind == "rest":
            result["multiValueHeaders"][header_name] = [content_type]
    return result


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
