"""What the use cases need from Genesys Cloud (GenesysGateway provides it) and from the outbox (outbox/
provides it); unit tests provide fakes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from participant_data.deadline import Deadline
from participant_data.outbox.messages import QueuedWrite


class GenesysPort(Protocol):
    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None: ...

    def customer_participant_id(self, conversation_id: str, deadline: Deadline) -> str | None:
        """The participant the `customer` alias names now (the customer still on the conversation)."""
        ...

    def check_health(self, deadline: Deadline) -> None:
        """Raises a ServiceError unless Genesys answers and the permission callers depend on is held."""
        ...


class OutboxQueuePort(Protocol):
    def send(self, write: QueuedWrite, deadline: Deadline) -> None:
        """Store the write for the worker; raises OutboxUnavailable."""
        ...


class PendingMarksPort(Protocol):
    def is_pending(self, group: str, deadline: Deadline) -> bool:
        """Whether the participant group has queued writes; raises OutboxUnavailable."""
        ...

    def mark(self, group: str, request_id: str, deadline: Deadline) -> None:
        """Record that `request_id` is the group's newest queued write; raises OutboxUnavailable."""
        ...


class OutboxPort(Protocol):
    """The outbox of a deployment (outbox.Outbox)."""

    @property
    def queue(self) -> OutboxQueuePort: ...

    @property
    def marks(self) -> PendingMarksPort: ...

    @property
    def reserve_seconds(self) -> float: ...
