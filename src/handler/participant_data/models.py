"""What a request asks for and what the service answers, independent of how the request arrived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# `participantId` may name the conversation's customer instead of a UUID: Architect call flows have
# `Call.ConversationId` but no documented customer participant id
# (docs/genesys-facts.md#architect-conversation-id).
CUSTOMER_ALIAS = "customer"


@dataclass(frozen=True, slots=True)
class AttributeUpdate:
    """A validated request: these string attributes, merged into this participant's data."""

    conversation_id: str
    participant_id: str  # a UUID, or CUSTOMER_ALIAS
    attributes: Mapping[str, str]
    # False: the caller must know the write happened now, so it is never queued in the outbox.
    queue_if_unavailable: bool = True

    @property
    def names_customer(self) -> bool:
        return self.participant_id == CUSTOMER_ALIAS


@dataclass(frozen=True, slots=True)
class UpdateResult:
    conversation_id: str
    # The resolved UUID once written; as the caller named it (a UUID or CUSTOMER_ALIAS) when queued: the
    # alias is resolved when the write is applied.
    participant_id: str
    updated_keys: tuple[str, ...]
    # True: not written yet but kept in the outbox, to be applied in order once Genesys takes it.
    queued: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "conversationId": self.conversation_id,
            "participantId": self.participant_id,
            "updatedKeys": list(self.updated_keys),
            "updatedCount": len(self.updated_keys),
            "queued": self.queued,
        }
