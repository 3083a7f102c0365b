"""The OpenAPI 3.1 document of the service's API (contracts/openapi.json).

It describes every answer the API gives: the handler's (handlers/api_gateway.py, errors.py) and API
Gateway's own (403 for a missing or wrong API key, and its throttling and integration failures). The
route and the API key requirement are template.yaml's; tests/contracts checks both stay in step.
"""

from __future__ import annotations

from typing import Any

from api_contracts import schema
from participant_data.handlers.api_gateway import JSON, ROUTE_TEMPLATE
from participant_data.settings import Limits

API_KEY_HEADER = "x-api-key"
METHOD = "patch"
OPERATION_ID = "setParticipantAttributes"
SECURITY_SCHEME = "apiKey"

# status -> (what it means, whether API Gateway itself may answer it too).
_ERRORS: dict[int, tuple[str, bool]] = {
    400: ("Invalid IDs, body, keys or values (`invalid_request`), decided before any call to Genesys;"
          " or Genesys refused the values (`genesys_rejected_input`).", False),
    403: ("API Gateway: the x-api-key header is missing or wrong (`Forbidden`), or another path or method"
          " (`Missing Authentication Token`).", True),
    404: ("Genesys does not know the conversation or participant (`not_found`), or the conversation has no"
          " customer participant (`customer_not_found`).", False),
    413: ("Over the body, key-count or length limits (`payload_too_large`), or over Genesys's own limit"
          " (`genesys_payload_too_large`).", True),
    415: ("Content-Type is not JSON (`unsupported_media_type`).", False),
    429: ("Genesys rate-limits and its Retry-After does not fit the budget (`genesys_rate_limited`), or API"
          " Gateway's throttling or quota.", True),
    500: ("The service is misconfigured (`service_misconfigured`) or failed (`internal_error`).", True),
    502: ("Genesys refused the service itself (`genesys_credentials_rejected`, `genesys_token_refused`,"
          " `genesys_forbidden`, `genesys_unauthorized`, `genesys_bad_response`, `genesys_rejected`).", True),
    503: ("Genesys or Secrets Manager kept failing until the budget ran out (`upstream_unavailable`), and"
          " the outbox (where deployed) could not keep the write either; or earlier writes for the"
          " participant wait in the outbox and it cannot take this one (`outbox_unavailable`).", True),
    504: ("The budget ran out waiting on Genesys or Secrets Manager (`upstream_timeout`), or API Gateway's"
          " integration timeout.", True),
}  # fmt: skip
# The handler sets Retry-After (whole seconds) on these when Genesys asked to wait.
_RETRY_AFTER_STATUSES = frozenset({429, 503, 504})
_GATEWAY_ONLY = frozenset({403})


def build_openapi(limits: Limits = schema.DEFAULT_LIMITS) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "genesys-participant-data",
            "version": "1.0.0",
            "description": (
                "Sets custom participant data on a live Genesys Cloud conversation: the keys are merged"
                " into the participant's attributes. Called by a Genesys Cloud data action"
                " (docs/data-actions.md). Limits shown are the defaults (MAX_ATTRIBUTES, MAX_KEY_LENGTH,"
                " MAX_VALUE_LENGTH, MAX_BODY_BYTES)."
            ),
        },
        "servers": [
            {
                "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
                "description": "The deployed API: the stack output ParticipantDataApiUrl.",
                "variables": {
                    "restApiId": {"default": "abcdef1234"},
                    "region": {"default": "us-east-1"},
                    "stage": {"default": "prod"},
                },
            }
        ],
        "security": [{SECURITY_SCHEME: []}],
        "paths": {ROUTE_TEMPLATE: {METHOD: _operation(limits)}},
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": API_KEY_HEADER,
                    "description": "The API key (stack output ParticipantDataApiKeyId).",
                }
            },
            "schemas": {
                "AttributesRequest": schema.request_body(limits),
                "UpdateResult": schema.update_result(limits),
                "ErrorBody": schema.error_body(),
                "GatewayError": schema.GATEWAY_ERROR,
            },
            "headers": {
                "RetryAfter": {
                    "description": "Seconds Genesys asked to wait before retrying.",
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
        },
    }


def _operation(limits: Limits) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": (
                "The keys were set (`queued: false`; Genesys applies the update asynchronously), or"
                " Genesys could not take them within the time budget and they were kept in the outbox,"
                " to be applied in order (`queued: true`; only where the outbox is deployed, and unless"
                " the body says `queueIfUnavailable: false`)."
            ),
            "content": {JSON: {"schema": _ref("UpdateResult")}},
        }
    }
    for status, (description, gateway_too) in _ERRORS.items():
        responses[str(status)] = _error_response(status, description, gateway_too)
    return {
        "operationId": OPERATION_ID,
        "summary": "Merge custom attributes into a participant's data",
        "security": [{SECURITY_SCHEME: []}],
        "parameters": [
            _path_parameter("conversationId", schema.CONVERSATION_ID),
            _path_parameter("participantId", schema.PARTICIPANT_ID),
        ],
        "requestBody": {
            "required": True,
            "description": "Also accepted base64-encoded (API Gateway binary bodies).",
            "content": {JSON: {"schema": _ref("AttributesRequest")}},
        },
        "responses": responses,
    }


def _error_response(status: int, description: str, gateway_too: bool) -> dict[str, Any]:
    body: dict[str, Any]
    if status in _GATEWAY_ONLY:
        body = _ref("GatewayError")
    elif gateway_too:
        body = {"anyOf": [_ref("ErrorBody"), _ref("GatewayError")]}
    else:
        body = _ref("ErrorBody")
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": body}}}
    if status in _RETRY_AFTER_STATUSES:
        response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    return response


def _path_parameter(name: str, parameter_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": parameter_schema["description"],
        "schema": {key: value for key, value in parameter_schema.items() if key != "description"},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
