"""Every way a request can fail, each with a machine-readable code, a human message and an HTTP status.

The messages are written for the contact-center engineer reading a data action's test output: they name
the problem and never carry internal exception text, credentials or attribute values.
"""

from __future__ import annotations

# The statuses that say the caller's own request is wrong (its IDs, body, media type or size, or a
# conversation Genesys does not know): the caller has to change the request, so they never page anyone.
# Every other status the service answers is a service fault: a 5xx, and a Genesys 429 the time budget
# could not absorb (the service's share of the org's rate limit ran out, not the caller's request).
CALLER_ERROR_STATUSES = frozenset({400, 404, 413, 415, 422})


class ServiceError(Exception):
    """Base of the errors the service answers with. Subclasses fix the status; callers may refine the code."""

    status: int = 500
    code: str = "internal_error"
    # Failures a caller may retry later: they say so, and the metric names the kind.
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.retry_after = retry_after

    @property
    def is_caller_error(self) -> bool:
        """The caller's own input is wrong: counted as a failure, never as a fault of the service."""
        return self.status in CALLER_ERROR_STATUSES

    @property
    def is_service_fault(self) -> bool:
        """Anything else: the service failed the caller, and the alarms count it (a status not listed
        above is a fault too, so a new kind of error pages until someone decides otherwise)."""
        return not self.is_caller_error

    def to_body(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.retry_after is not None:
            body["retryAfterSeconds"] = self.retry_after
        return body


class InvalidRequest(ServiceError):
    """The caller's input is wrong; decided before any call to Genesys."""

    status = 400
    code = "invalid_request"


class UnsupportedMediaType(InvalidRequest):
    status = 415
    code = "unsupported_media_type"


class PayloadTooLarge(InvalidRequest):
    status = 413
    code = "payload_too_large"


class NotFound(ServiceError):
    """Genesys does not know the conversation or the participant (or the route does not exist)."""

    status = 404
    code = "not_found"


class CustomerNotFound(NotFound):
    """The `customer` alias named a conversation without a participant whose purpose is customer."""

    code = "customer_not_found"

    def __init__(self) -> None:
        super().__init__("The conversation has no participant whose purpose is customer.")


class RateLimited(ServiceError):
    """Genesys answered 429 and its Retry-After does not fit in what is left of the budget."""

    status = 429
    code = "genesys_rate_limited"
    retryable = True


class UpstreamRejected(ServiceError):
    """Genesys refused the call for a reason retrying will not fix (credentials, permissions, a 4xx)."""

    status = 502
    code = "genesys_rejected"


class UpstreamUnavailable(ServiceError):
    """Genesys or Secrets Manager kept failing (5xx, refused connections) until the budget ran out."""

    status = 503
    code = "upstream_unavailable"
    retryable = True


class UpstreamTimeout(ServiceError):
    """The budget ran out while waiting on Genesys or Secrets Manager."""

    status = 504
    code = "upstream_timeout"
    retryable = True


class ConfigurationError(ServiceError):
    """The deployment is misconfigured (settings, the secret's content). An operator must act."""

    status = 500
    code = "service_misconfigured"
