"""The outbox worker's long-lived objects: the container's (settings, Genesys gateway, pending marks) and
the queue client it alone needs, to change a failed message's visibility.

Built on first use and kept while the container's dependencies stay the same ones (tests and the local
stand-ins rebuild those when the environment changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from participant_data.container import Dependencies, dependencies
from participant_data.errors import ConfigurationError
from participant_data.genesys.gateway import GenesysGateway
from participant_data.observability import record_retry
from participant_data.outbox.aws import DeadlineBoundClient
from participant_data.outbox.marks import PendingMarks
from participant_data.outbox.visibility import MessageVisibility
from participant_data.settings import Settings

NO_OUTBOX = (
    "The outbox worker needs OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME: the deployment has no outbox to apply."
)


@dataclass(frozen=True, slots=True)
class WorkerDependencies:
    settings: Settings
    genesys: GenesysGateway
    marks: PendingMarks
    visibility: MessageVisibility


def worker_dependencies() -> WorkerDependencies:
    """Raises ConfigurationError when the deployment is not configured, or has no outbox."""
    return _for_container(dependencies())


@lru_cache(maxsize=1)
def _for_container(deps: Dependencies) -> WorkerDependencies:
    if deps.outbox is None:
        raise ConfigurationError(NO_OUTBOX)
    settings = deps.settings
    client = DeadlineBoundClient(
        "sqs",
        connect_timeout_cap=settings.connect_timeout_seconds,
        attempt_timeout_cap=settings.attempt_timeout_seconds,
        max_attempts=settings.max_attempts,
        on_retry=record_retry,
    )
    visibility = MessageVisibility(settings.outbox_queue_url, client)
    return WorkerDependencies(settings, deps.genesys, deps.outbox.marks, visibility)
