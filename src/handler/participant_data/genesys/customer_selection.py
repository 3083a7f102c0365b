"""Which participant the `customer` alias means: the one rule, for the update and for the operator CLI's read.

A conversation can hold several participants whose purpose is `customer`: a transfer, a callback or a
reconnect adds one, and the one that left stays listed with its `endTime`
(docs/genesys-facts.md#participant-times-and-states: `Conversation.participants[]`, each `Participant` with
`startTime`, `connectedTime`, `endTime` and one list per media type, `calls`, `callbacks`, `chats`, ...,
whose entries carry `state`, `connectedTime` and `disconnectedTime`). The rule:

1. Prefer a customer still on the conversation: no `endTime`, and not every one of its communications
   `disconnected` or `terminated` (one without any communication listed counts as still on).
2. Among several, the most recently connected: the participant's `connectedTime`, else its
   communications' latest `connectedTime`, else its `startTime`.
3. If none is still on, the one seen last: the latest of its `endTime`, `connectedTime`, `startTime` and
   its communications' `connectedTime` / `disconnectedTime`: the last leg of the call is the likeliest
   to still matter to whoever reads the data afterwards.

Ties (equal or missing times) go to the participant listed first, which is what the alias meant before
there was a rule, and does not depend on the order Genesys lists participants in (not documented, as
the same fact says).

The participants are the SDK's models, untyped (the SDK ships no type hints).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

CUSTOMER_PURPOSE = "customer"

# The `Participant` lists of communications, one per media type, each entry with `state` and times.
MEDIA_LISTS = (
    "calls",
    "callbacks",
    "chats",
    "cobrowsesessions",
    "emails",
    "messages",
    "screenshares",
    "social_expressions",
    "videos",
)
# Connection states after which a communication is over (`Call.state` and its twins' enum).
ENDED_STATES = frozenset({"disconnected", "terminated"})

_NEVER = datetime.min.replace(tzinfo=UTC)


def choose_customer(participants: Iterable[Any] | None) -> Any | None:
    """The participant the `customer` alias names, or None when no participant's purpose is customer."""
    customers = [p for p in participants or () if p.purpose == CUSTOMER_PURPOSE and p.id]
    still_on = [p for p in customers if is_still_on(p)]
    if still_on:
        return _latest(still_on, connected_at)
    return _latest(customers, last_seen) if customers else None


def is_still_on(participant: Any) -> bool:
    """No `endTime`, and at least one communication not over (or none listed at all)."""
    if participant.end_time is not None:
        return False
    states = [_state(communication) for communication in _communications(participant)]
    return not states or any(state not in ENDED_STATES for state in states)


def connected_at(participant: Any) -> datetime:
    """When the participant connected, for choosing among those still on."""
    if participant.connected_time is not None:
        return _aware(participant.connected_time)
    connected = [c.connected_time for c in _communications(participant) if c.connected_time is not None]
    if connected:
        return max(_aware(moment) for moment in connected)
    return _aware(participant.start_time) if participant.start_time is not None else _NEVER


def last_seen(participant: Any) -> datetime:
    """The latest moment known of the participant, for choosing among those who all left."""
    moments = [participant.end_time, participant.connected_time, participant.start_time]
    for communication in _communications(participant):
        moments += [communication.connected_time, communication.disconnected_time]
    return max((_aware(moment) for moment in moments if moment is not None), default=_NEVER)


def _latest(participants: list[Any], moment: Callable[[Any], datetime]) -> Any:
    """The participant with the latest `moment`; the first listed among equals (`max` keeps the first)."""
    return max(participants, key=moment)


def _communications(participant: Any) -> Iterator[Any]:
    for name in MEDIA_LISTS:
        yield from getattr(participant, name, None) or ()


def _state(communication: Any) -> str:
    return str(communication.state or "").lower()


def _aware(moment: datetime) -> datetime:
    """Genesys sends UTC with a `Z`; a time without a zone is read as UTC rather than fail a comparison."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
