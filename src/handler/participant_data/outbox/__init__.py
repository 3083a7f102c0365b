"""The outbox's data access: the queued-write message, the SQS FIFO queue and the pending-mark table.

boto3 only: nothing here knows of HTTP events or Genesys. The request side (logic/) stores writes Genesys
could not take within the budget; the worker (`app.queue_worker`) applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from participant_data.outbox.marks import PendingMarks
from participant_data.outbox.queue import OutboxQueue


@dataclass(frozen=True, slots=True)
class Outbox:
    """The outbox of a deployment that has one (both OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME set)."""

    queue: OutboxQueue
    marks: PendingMarks
    # Kept back from a request's budget so that a write Genesys could not take can still be stored.
    reserve_seconds: float

    def forget(self) -> None:
        """Drop the clients and their connections (SnapStart restore)."""
        self.queue.forget()
        self.marks.forget()
