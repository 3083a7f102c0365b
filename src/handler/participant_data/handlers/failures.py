"""How every entry point reports a failed request: one metric by error code, a service-fault count when
the service is at fault (what the alarms page for), and one warning line."""

from __future__ import annotations

from participant_data.errors import ServiceError
from participant_data.observability import logger, record_failure, record_service_fault


def report_failure(error: ServiceError) -> None:
    record_failure(error.code)
    if error.is_service_fault:
        record_service_fault()
    logger.warning(
        "Request failed",
        extra={"error_code": error.code, "status": error.status, "service_fault": error.is_service_fault},
    )
