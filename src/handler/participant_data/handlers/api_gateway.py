"""API Gateway events: REST API (v1) proxy events from the template's API, and HTTP API (v2) events.

`PATCH /conversations/{conversationId}/participants/{participantId}/attributes` with
`{"attributes": {...}}` answers 200 with what was set, or an error body `{"code", "message"}`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import dependencies
from participant_data.deadline import Deadline
from participant_data.errors import InvalidRequest, NotFound, ServiceError, UnsupportedMediaType
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.logic.set_attributes import set_attributes
from participant_data.observability import logger, record_failure
from participant_data.validation import update_from_http

ROUTE = "/conversations/<conversation_id>/participants/<participant_id>/attributes"
ROUTE_TEMPLATE = "/conversations/{conversationId}/participants/{participantId}/attributes"
JSON = "application/json"

rest_api = APIGatewayRestResolver()
http_api = APIGatewayHttpResolver()


def handle_rest_api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _resolve(rest_api, event, context)


def handle_http_api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _resolve(http_api, event, context)


def _resolve(api: ApiGatewayResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Route the event. API Gateway's own events are well formed; one that only looks like them (fields
    of the wrong type or missing) can come from a direct invocation, and gets that path's 400 failure."""
    try:
        return api.resolve(event, context)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        logger.warning("Malformed API Gateway event", extra={"error_type": type(error).__name__})
        failure = InvalidRequest("The event looks like an API Gateway proxy event but is malformed.")
        record_failure(failure.code)
        raise DataActionFailed(failure) from None


def _register_routes(api: ApiGatewayResolver) -> None:
    """The same routes and error handling for both kinds of API."""

    @api.patch(ROUTE)
    def patch_attributes(conversation_id: str, participant_id: str) -> Response[str]:
        event = api.current_event
        logger.set_correlation_id(event.raw_event.get("requestContext", {}).get("requestId"))
        _require_json(event)
        deps = dependencies()
        update = update_from_http(conversation_id, participant_id, _body_bytes(event), deps.settings.limits)
        logger.append_keys(conversation_id=update.conversation_id)
        deadline = Deadline.for_invocation(deps.settings, api.lambda_context.get_remaining_time_in_millis())
        result = set_attributes(
            update, deadline, deps.genesys, deps.customers, deps.settings.log_attribute_values
        )
        return _json_response(200, result.to_dict())

    api.exception_handler(ServiceError)(_error_response)

    @api.not_found
    def route_not_found(_: Exception) -> Response[str]:
        return _error_response(
            NotFound(f"No such route: use PATCH {ROUTE_TEMPLATE}.", code="route_not_found")
        )

    api.exception_handler(Exception)(_unexpected_error)


def _unexpected_error(_: Exception) -> Response[str]:
    # The traceback goes to the log (no secrets reach exceptions); the caller gets no internal text.
    logger.exception("Unexpected error")
    return _error_response(ServiceError("The service failed unexpectedly; the error is logged."))


def _error_response(error: ServiceError) -> Response[str]:
    record_failure(error.code)
    logger.warning("Request failed", extra={"error_code": error.code, "status": error.status})
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return _json_response(error.status, error.to_body(), headers)


def _require_json(event: BaseProxyEvent) -> None:
    content_type = (event.headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json"):
        raise UnsupportedMediaType(f"Content-Type must be {JSON}.")


def _body_bytes(event: BaseProxyEvent) -> bytes:
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("The body is marked base64-encoded but is not valid base64.") from None
    # A str body with lone surrogates is not UTF-8: keep them so validation refuses the body.
    return body.encode("utf-8", errors="surrogatepass")


def _json_response(
    status: int, body: dict[str, object], headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body), headers=headers)


_register_routes(rest_api)
_register_routes(http_api)
