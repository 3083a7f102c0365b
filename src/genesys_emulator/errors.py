"""Error answers in Genesys's shapes: the Platform API's ``ErrorBody`` and the login server's OAuth error."""

from __future__ import annotations

import uuid
from typing import Any

# Messages of the error codes, as the Platform API swagger lists them in "x-inin-error-codes"
# (tests/fixtures/genesys-platform-api-subset.swagger.json); 413's message is the current API
# reference's (docs/genesys-facts.md#platform-api-errors).
ERROR_MESSAGES: dict[str, str] = {
    "bad.request": "The request could not be understood by the server due to malformed syntax.",
    "invalid.value": "Value [%s] is not valid for field type [%s]. Allowable values are: %s",
    "authentication.required": "No authentication bearer token specified in authorization header.",
    "bad.credentials": "Invalid login credentials.",
    "not.authorized": "You are not authorized to perform the requested action.",
    "not.found": "The requested resource was not found.",
    "method.not.allowed": "The requested method is not allowed for this resource.",
    "conflict": "The request could not be completed because of a conflict with the resource's state.",
    "request.entity.too.large": "The request is over the size limit",
    "unsupported.media.type": (
        "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type "
        "value in the header."
    ),
    "too.many.requests.retry.after": "Rate limit exceeded the maximum [%s] requests within [%s] seconds",
    "internal.server.error": (
        "The server encountered an unexpected condition which prevented it from fulfilling the request."
    ),
    "bad.gateway": "The server received an invalid response from an upstream server.",
    "service.unavailable": (
        "Service Unavailable - The server is currently unavailable (because it is overloaded or down for "
        "maintenance)."
    ),
    "request.timeout": "The request timed out.",
}

# The code an injected fault of a given status carries. 429 uses Genesys's rate-limit code
# (docs/genesys-facts.md#rate-limits).
STATUS_CODES: dict[int, str] = {
    400: "bad.request",
    401: "bad.credentials",
    403: "not.authorized",
    404: "not.found",
    405: "method.not.allowed",
    409: "conflict",
    413: "request.entity.too.large",
    415: "unsupported.media.type",
    429: "too.many.requests.retry.after",
    500: "internal.server.error",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "request.timeout",
}

GENESYS_RATE_LIMIT = 300
"""Platform API requests per token per minute (docs/genesys-facts.md#rate-limits)."""

RATE_LIMIT_WINDOW_SECONDS = 60.0


class NonLoopbackHostError(ValueError):
    """Raised when asked to listen on anything but a loopback address: the emulator has no auth at all."""


class ApiError(Exception):
    """An answer with a Genesys ``ErrorBody``; raised inside a request handler, turned into the answer.

    ``params`` fill the ``%s`` placeholders of the message (``messageWithParams`` keeps them as
    ``{name}`` placeholders and ``messageParams`` maps the names to the values, as Genesys does).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.params = dict(params or {})
        template = message if message is not None else ERROR_MESSAGES.get(code, code)
        self.message = _fill(template, [str(v) for v in self.params.values()])
        self.message_with_params = _fill(template, ["{" + k + "}" for k in self.params])
        self.headers = dict(headers or {})
        super().__init__(f"{status} {code}: {self.message}")

    @classmethod
    def for_status(cls, status: int, headers: dict[str, str] | None = None) -> ApiError:
        """The generic error of an HTTP status (what an injected fault answers)."""
        code = STATUS_CODES.get(status, "error")
        if code == "too.many.requests.retry.after":
            params = {"limit": str(GENESYS_RATE_LIMIT), "window": str(int(RATE_LIMIT_WINDOW_SECONDS))}
            return cls(status, code, params=params, headers=headers)
        return cls(status, code, message=ERROR_MESSAGES.get(code, f"HTTP {status}"), headers=headers)

    def body(self, context_id: str) -> dict[str, Any]:
        """The swagger's ``ErrorBody`` (definitions/ErrorBody) of this error."""
        return error_body(
            status=self.status,
            code=self.code,
            message=self.message,
            message_with_params=self.message_with_params,
            message_params=self.params,
            context_id=context_id,
        )


def error_body(
    *,
    status: int,
    code: str,
    message: str,
    message_with_params: str | None = None,
    message_params: dict[str, str] | None = None,
    context_id: str | None = None,
) -> dict[str, Any]:
    """An ``ErrorBody`` with every property the Platform API fills on an error answer."""
    return {
        "message": message,
        "code": code,
        "status": status,
        "contextId": context_id or str(uuid.uuid4()),
        "messageWithParams": message_with_params if message_with_params is not None else message,
        "messageParams": dict(message_params or {}),
        "details": [],
        "errors": [],
    }


class OAuthError(Exception):
    """An answer of the token endpoint in the OAuth error shape ``{"error", "description"}``.

    Only ``{"error": "invalid_client", ...}`` for rejected credentials is established, and 400 versus 401
    is unconfirmed (docs/genesys-facts.md#rejected-credentials); ``error_description`` (RFC 6749's name)
    is sent too so that generic OAuth clients find the text.
    """

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{status} {error}: {description}")

    def body(self) -> dict[str, str]:
        """The JSON body of this OAuth error."""
        return {"error": self.error, "description": self.description, "error_description": self.description}


def _fill(template: str, values: list[str]) -> str:
    """Replace the ``%s`` placeholders of a swagger message, left to right; extra ones stay as they are."""
    parts = template.split("%s")
    if len(parts) == 1 or not values:
        return template
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out.append(values[i] if i < len(values) else "%s")
        out.append(part)
    return "".join(out)
