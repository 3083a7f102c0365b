"""The scheduled health check: the same path as an update, up to a Genesys call that needs the permission
callers depend on (so a role change that breaks the `customer` alias turns it red, not only an outage)."""

from __future__ import annotations

from participant_data.deadline import Deadline
from participant_data.errors import ServiceError
from participant_data.logic.ports import GenesysPort
from participant_data.observability import logger, record_health


class Unhealthy(Exception):
    """Raised so the function's Errors metric, and the alarm on it, show the failure."""


def check_health(deadline: Deadline, genesys: GenesysPort) -> dict[str, object]:
    """Secret readable, token obtainable, Genesys reachable and the role's permission intact (a
    `genesys_forbidden` failure says the permission went); a metric either way."""
    try:
        genesys.check_health(deadline)
    except ServiceError as error:
        record_health(healthy=False)
        logger.error("Health check failed", extra={"error_code": error.code})
        raise Unhealthy(f"{error.code}: {error.message}") from error
    record_health(healthy=True)
    logger.info("Health check passed")
    return {"healthy": True}
