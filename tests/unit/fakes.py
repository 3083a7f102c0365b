"""In-process stand-ins for unit tests (integration tests use the emulator and moto_server instead)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from participant_data.deadline import Deadline
from participant_data.outbox.messages import QueuedWrite


class FakeGenesys:
    """Records calls; answers from a table of conversations, or raises `error` when set. `deadlines`
    holds the time each PATCH was given."""

    def __init__(self, customers: Mapping[str, str] | None = None) -> None:
        self.customers = dict(customers or {})
        self.patches: list[tuple[str, str, dict[str, str]]] = []
        self.deadlines: list[float] = []
        self.lookups: list[str] = []
        self.health_checks = 0
        self.error: Exception | None = None

    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None:
        self.patches.append((conversation_id, participant_id, dict(attributes)))
        self.deadlines.append(deadline.remaining())
        if self.error:
            raise self.error

    def customer_participant_id(self, conversation_id: str, deadline: Deadline) -> str | None:
        self.lookups.append(conversation_id)
        return self.customers.get(conversation_id)

    def check_health(self, deadline: Deadline) -> None:
        self.health_checks += 1
        if self.error:
            raise self.error


class FakeOutboxQueue:
    """Records sent writes; raises `error` when set."""

    def __init__(self) -> None:
        self.sent: list[QueuedWrite] = []
        self.error: Exception | None = None

    def send(self, write: QueuedWrite, deadline: Deadline) -> None:
        if self.error:
            raise self.error
        self.sent.append(write)


class FakePendingMarks:
    """Pending groups with their newest request id; each operation can be made to fail."""

    def __init__(self, pending: Mapping[str, str] | None = None) -> None:
        self.marks = dict(pending or {})
        self.reads: list[str] = []
        self.read_error: Exception | None = None
        self.mark_error: Exception | None = None

    def is_pending(self, group: str, deadline: Deadline) -> bool:
        self.reads.append(group)
        if self.read_error:
            raise self.read_error
        return group in self.marks

    def mark(self, group: str, request_id: str, deadline: Deadline) -> None:
        if self.mark_error:
            raise self.mark_error
        self.marks[group] = request_id


@dataclass
class FakeOutbox:
    queue: FakeOutboxQueue = field(default_factory=FakeOutboxQueue)
    marks: FakePendingMarks = field(default_factory=FakePendingMarks)
    reserve_seconds: float = 1.0
