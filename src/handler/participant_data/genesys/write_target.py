"""Where a queued write can still go: read from the conversation when the write is applied, not queued.

A write waits in the outbox for seconds to minutes; meanwhile the call may have ended, or the customer may
have been transferred. So the worker reads the conversation (`GET /api/v2/conversations/{id}`) first:

- The conversation has ended: `Conversation.endTime` is set, which Genesys defines as the moment the last
  participant left (docs/genesys-facts.md#conversation-end-time). Every participant listed with its own
  `endTime` means the same, and is also read as ended, in case the conversation's own time lags behind.
  Analytics keeps no attribute set after the end (docs/genesys-facts.md#architect-set-participant-data),
  so such a write is dropped rather than applied.
- The participant: `customer` is resolved now, by the one rule the request side uses
  (`choose_customer`), so a write queued before a transfer follows the customer still on the call; a
  UUID must still be listed (one that left stays listed with its `endTime` and is still written, as the
  request side would).

The conversation is the SDK's model, untyped (the SDK ships no type hints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from participant_data.genesys.customer_selection import choose_customer
from participant_data.models import CUSTOMER_ALIAS


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """What the conversation says about a queued write now."""

    conversation_ended: bool
    # The participant to write to (the alias resolved), or None when the conversation lists no such
    # participant (for `customer`: no participant whose purpose is customer).
    participant_id: str | None


def write_target(conversation: Any, participant_id: str) -> WriteTarget:
    """The target of a write for `participant_id` (a UUID or `customer`) in this `Conversation`."""
    participants = list(conversation.participants or [])
    ended = conversation.end_time is not None or (
        bool(participants) and all(p.end_time is not None for p in participants)
    )
    if participant_id == CUSTOMER_ALIAS:
        chosen = choose_customer(participants)
    else:
        chosen = next((p for p in participants if p.id and str(p.id).lower() == participant_id.lower()), None)
    return WriteTarget(ended, str(chosen.id) if chosen is not None else None)
