"""How every entry point reports a failed request: one metric by error code and one warning line."""

from __future__ import annotations

from participant_data.errors import ServiceError
from participant_data.observability import logger, record_failure


def report_failure(error: ServiceError) -> None:
    record_failure(error.code)
    logger.warning("Request failed", extra={"error_code": error.code, "status": error.status})
