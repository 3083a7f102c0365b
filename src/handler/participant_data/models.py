"""What a request asks for and what the service answers, independent of how the request arrived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# `participantId` may name the conversation's customer instead of a UUID: Architect call flows have
# `Call.ConversationId` but no documented customer participant id (genesys-api-notes.md, "Data actions").
CUSTOMER_ALIAS = "customer"


@dataclass(frozen=True, slots=True)
class AttributeUpdate:
    """A validated request: these string attributes, merged into this participant's data."""

    conversation_id: str
    participant_id: str  # a UUID, or CUSTOMER_ALIAS
    attributes: Mapping[str, str]

    @property
    def names_customer(self) -> bool:
        return self.participant_id == CUSTOMER_ALIAS


@dataclass(frozen=True, slots=True)
class UpdateResult:
    conversation_id: str
    participant_id: str  # always the resolved UUID
    updated_keys: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "conversationId": self.conversation_id,
            "participantId": self.participant_id,
            "updatedKeys": list(self.updated_keys),
            "updatedCount": len(self.updated_keys),
        }
