"""In-process stand-ins for unit tests (integration tests use the emulator and moto_server instead)."""

from __future__ import annotations

from collections.abc import Mapping

from participant_data.deadline import Deadline


class FakeGenesys:
    """Records calls; answers from a table of conversations, or raises `error` when set."""

    def __init__(self, customers: Mapping[str, str] | None = None) -> None:
        self.customers = dict(customers or {})
        self.patches: list[tuple[str, str, dict[str, str]]] = []
        self.lookups: list[str] = []
        self.health_checks = 0
        self.error: Exception | None = None

    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None:
        self.patches.append((conversation_id, participant_id, dict(attributes)))
        if self.error:
            raise self.error

    def customer_participant_id(self, conversation_id: str, deadline: Deadline) -> str | None:
        self.lookups.append(conversation_id)
        return self.customers.get(conversation_id)

    def check_health(self, deadline: Deadline) -> None:
        self.health_checks += 1
        if self.error:
            raise self.error
