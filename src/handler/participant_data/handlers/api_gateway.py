"""API Gateway events: REST API (v1) proxy events from the template's API, and HTTP API (v2) events.

`PATCH /conversations/{conversationId}/participants/{participantId}/attributes` with
`{"attributes": {...}}` (and optionally `"queueIfUnavailable": false`) answers 200 with what was set, or
was queued in the outbox (`"queued": true`), or an error body `{"code", "message"}`.

The API has one route, so the routing is done here in a few lines rather than by Powertools' event
resolver: its generic machinery (route table, middleware stack, case-insensitive header views, response
builder) cost about a tenth of a millisecond per warm request in `make bench`, a visible share of a budget
measured against one loopback round trip (docs/performance.md).

Routing uses what API Gateway resolved, never the raw path: the raw path carries a custom domain's base
path mapping (REST `path` = `/v1/conversations/...`) or an HTTP API's named stage (`rawPath` =
`/prod/conversations/...`), while the resolved route and its path parameters are the same in every
deployment (docs/genesys-facts.md#api-gateway-resolved-route).

- REST API (v1): `resource` is the route template, `httpMethod` the method, `pathParameters` the IDs.
- HTTP API (v2): `routeKey` is `PATCH <route template>` (or `ANY <route template>`: API Gateway resolves
  the same path parameters for it), `requestContext.http.method` the method, `pathParameters` the IDs.
- A catch-all route (`$default`, `/{proxy+}`) resolves no IDs: it answers 404 route_not_found rather than
  guessing the IDs from a raw path whose prefix only the deployment knows. Declare the route itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import dependencies
from participant_data.errors import InvalidRequest, NotFound, ServiceError, UnsupportedMediaType
from participant_data.handlers.direct_invocation import invocation_failure
from participant_data.handlers.failures import report_failure
from participant_data.handlers.updates import run_update
from participant_data.models import UpdateResult
from participant_data.observability import logger
from participant_data.validation import update_from_http

ROUTE_TEMPLATE = "/conversations/{conversationId}/participants/{participantId}/attributes"
_METHOD = "PATCH"
# The HTTP API route keys that resolve this route (see the module docstring).
_HTTP_ROUTE_KEYS = frozenset({f"{_METHOD} {ROUTE_TEMPLATE}", f"ANY {ROUTE_TEMPLATE}"})
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """What the service reads from either kind of proxy event."""

    # (conversationId, participantId) as API Gateway resolved them; None: not a PATCH on this route.
    ids: tuple[str, str] | None
    headers: Mapping[str, str]  # names lower-cased
    body: str
    is_base64: bool
    request_id: str | None


def handle_rest_api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    status, body, headers = _answer(_read_event(event, version=1), context)
    # REST API proxy answers: multiValueHeaders carries every header (API Gateway merges both maps).
    return {
        "statusCode": status,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "body": body,
        "isBase64Encoded": False,
    }


def handle_http_api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    status, body, headers = _answer(_read_event(event, version=2), context)
    return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}


def _read_event(event: dict[str, Any], version: int) -> ApiRequest:
    """API Gateway's own events are well formed; one that only looks like them (fields of the wrong type
    or missing) can come from a direct invocation, and gets that path's 400 failure."""
    try:
        context = event["requestContext"]
        if version == 1:
            method, route = event["httpMethod"], event["resource"]
            on_route = route == ROUTE_TEMPLATE
        else:
            method, route = context["http"]["method"], event["routeKey"]
            on_route = route in _HTTP_ROUTE_KEYS
        request_id = context.get("requestId")
        headers = event.get("headers") or {}
        body = event.get("body") or ""
        if not all(isinstance(value, str) for value in (method, route, body)) or not isinstance(
            headers, dict
        ):
            raise TypeError("a proxy event field has the wrong type")
        routed = on_route and method.upper() == _METHOD
        return ApiRequest(
            ids=_path_ids(event.get("pathParameters")) if routed else None,
            headers={str(name).lower(): value for name, value in headers.items() if isinstance(value, str)},
            body=body,
            is_base64=event.get("isBase64Encoded") is True,
            request_id=request_id if isinstance(request_id, str) else None,
        )
    except (KeyError, TypeError, AttributeError) as error:
        logger.warning("Malformed API Gateway event", extra={"error_type": type(error).__name__})
        failure = InvalidRequest("The event looks like an API Gateway proxy event but is malformed.")
        raise invocation_failure(failure) from None


def _path_ids(parameters: Any) -> tuple[str, str]:
    """The IDs API Gateway resolved for the route; it always sends both, so a gap means a malformed event."""
    conversation_id, participant_id = parameters["conversationId"], parameters["participantId"]
    if not isinstance(conversation_id, str) or not isinstance(participant_id, str):
        raise TypeError("a path parameter is not a string")
    return conversation_id, participant_id


def _answer(request: ApiRequest, context: LambdaContext) -> tuple[int, str, dict[str, str]]:
    """(status, JSON body, headers) for the request: the update's result or the error's body."""
    logger.set_correlation_id(request.request_id)
    try:
        return 200, json.dumps(_patch_attributes(request, context).to_dict()), {"Content-Type": JSON}
    except ServiceError as error:
        return _error_answer(error)
    except Exception:
        # The traceback goes to the log (no secrets reach exceptions); the caller gets no internal text.
        logger.exception("Unexpected error")
        return _error_answer(ServiceError("The service failed unexpectedly; the error is logged."))


def _patch_attributes(request: ApiRequest, context: LambdaContext) -> UpdateResult:
    if request.ids is None:
        raise NotFound(f"No such route: use PATCH {ROUTE_TEMPLATE}.", code="route_not_found")
    _require_json(request)
    deps = dependencies()
    conversation_id, participant_id = request.ids
    update = update_from_http(conversation_id, participant_id, _body_bytes(request), deps.settings.limits)
    logger.append_keys(conversation_id=update.conversation_id)
    return run_update(update, deps, context)


def _error_answer(error: ServiceError) -> tuple[int, str, dict[str, str]]:
    report_failure(error)
    headers = {"Content-Type": JSON}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return error.status, json.dumps(error.to_body()), headers


def _require_json(request: ApiRequest) -> None:
    content_type = (request.headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json"):
        raise UnsupportedMediaType(f"Content-Type must be {JSON}.")


def _body_bytes(request: ApiRequest) -> bytes:
    if request.is_base64:
        try:
            return base64.b64decode(request.body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("The body is marked base64-encoded but is not valid base64.") from None
    # A str body with lone surrogates is not UTF-8: keep them so validation refuses the body.
    return request.body.encode("utf-8", errors="surrogatepass")
