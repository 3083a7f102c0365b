"""Prepares the service's libraries for a command line, before they are imported.

The service logs JSON lines to stdout and emits CloudWatch metrics as JSON on stdout; a command's stdout
must carry only its own output. So: no metrics, no tracing, and the Powertools logger writes to stderr,
only with --verbose.
"""

from __future__ import annotations

import logging
import os
import sys

# Set before participant_data is imported: Powertools reads them then (metrics also at flush time).
QUIET_ENVIRONMENT = {
    "POWERTOOLS_METRICS_DISABLED": "true",  # flushes print nothing (docs/genesys-facts.md#powertools)
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon on an operator's machine
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def prepare(verbose: bool) -> None:
    """Process-wide: Powertools reads os.environ, and the service has one logger."""
    os.environ.update(QUIET_ENVIRONMENT)
    from participant_data.observability import logger  # only once the environment is set

    logger.setLevel(logging.DEBUG if verbose else logging.CRITICAL)  # the service logs nothing critical
    logger.registered_handler.setStream(sys.stderr)  # type: ignore[attr-defined]  # a StreamHandler
