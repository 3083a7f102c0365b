"""What the use cases need from Genesys Cloud (GenesysGateway provides it; unit tests provide fakes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from participant_data.deadline import Deadline


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
