"""The emulated conversations as data: built from a seeding spec, changed, and shown.

Plain values with no lock and no knowledge of HTTP: :class:`genesys_emulator.state.EmulatorState` keeps
them behind its lock. Each shows itself two ways: ``info()`` as the Python and admin APIs report it, and
``body()`` as ``GET /api/v2/conversations/{id}`` answers it (the Platform API swagger's ``Conversation``:
docs/genesys-facts.md#get-conversation).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .models import CALL_STATES, ENDED_CALL_STATES, ConversationInfo, ParticipantInfo, ParticipantSpec

_PARTICIPANT_KEYS = frozenset(ParticipantSpec.__annotations__)
_TIME_KEYS = ("start_time", "connected_time", "end_time")


def iso_millis(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss.SSSZ``: the date-time format the swagger's descriptions give."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Participant:
    id: str
    purpose: str
    state: str  # of its one voice call
    call_id: str
    start_time: datetime
    attributes: dict[str, str]
    connected_time: datetime | None = None
    end_time: datetime | None = None  # set once the participant has left the conversation

    def end(self, moment: datetime) -> None:
        """Leave the conversation: `endTime`, and the call disconnected (unless it already ended)."""
        if self.end_time is None:
            self.end_time = moment
        if self.state not in ENDED_CALL_STATES:
            self.state = "disconnected"

    def info(self) -> ParticipantInfo:
        """The participant as the Python and admin APIs report it."""
        return {
            "id": self.id,
            "purpose": self.purpose,
            "state": self.state,
            "attributes": dict(self.attributes),
        }

    def body(self) -> dict[str, Any]:
        """A swagger ``Participant`` with its one voice ``Call``; unset times are left out."""
        body: dict[str, Any] = {"id": self.id, "startTime": iso_millis(self.start_time)}
        call: dict[str, Any] = {"id": self.call_id, "state": self.state}
        if self.connected_time is not None:
            body["connectedTime"] = call["connectedTime"] = iso_millis(self.connected_time)
        if self.end_time is not None:
            body["endTime"] = iso_millis(self.end_time)
            if self.state in ENDED_CALL_STATES:
                call["disconnectedTime"] = body["endTime"]
        body["purpose"] = self.purpose
        body["attributes"] = dict(self.attributes)
        body["calls"] = [call]
        return body


@dataclass
class Conversation:
    id: str
    start_time: datetime
    participants: list[Participant]

    def participant(self, participant_id: str) -> Participant:
        """The participant with this id; KeyError if the conversation has none."""
        for participant in self.participants:
            if participant.id == participant_id:
                return participant
        raise KeyError(f"conversation {self.id!r} has no participant {participant_id!r}")

    def info(self) -> ConversationInfo:
        """The conversation as the Python and admin APIs report it."""
        return {"id": self.id, "participants": [p.info() for p in self.participants]}

    def body(self) -> dict[str, Any]:
        """The ``Conversation`` body of ``GET /api/v2/conversations/{id}`` (swagger definitions/Conversation).

        A participant's state is reported where the swagger puts it for a voice call, ``calls[].state``
        (``Participant`` has no ``state`` property); a participant that left has ``endTime``, and its call
        ``disconnectedTime``. Times that are not set are left out, as Genesys leaves them out.
        """
        return {
            "id": self.id,
            "startTime": iso_millis(self.start_time),
            "participants": [p.body() for p in self.participants],
            "selfUri": f"/api/v2/conversations/{self.id}",
        }


def new_conversation(
    participants: Sequence[Mapping[str, Any]], conversation_id: str | None, now: datetime
) -> Conversation:
    """A conversation seeded from participant specs (:class:`ParticipantSpec`); ValueError if invalid."""
    built = [new_participant(spec, now) for spec in participants]
    check_unique_ids(built)
    conversation = Conversation(conversation_id or str(uuid.uuid4()), now, built)
    if not conversation.id or "/" in conversation.id:
        raise ValueError(f"conversation_id must be non-empty and contain no '/': {conversation.id!r}")
    return conversation


def new_participant(spec: Mapping[str, Any], now: datetime) -> Participant:
    """A participant from its spec, every key optional (:class:`ParticipantSpec`); ValueError if invalid."""
    unknown = set(spec) - _PARTICIPANT_KEYS
    if unknown:
        raise ValueError(f"unknown participant keys {sorted(unknown)}; allowed: {sorted(_PARTICIPANT_KEYS)}")
    participant_id = spec.get("id") or str(uuid.uuid4())
    purpose = spec.get("purpose", "customer")
    start_time, connected_time, end_time = (parse_moment(spec.get(key), key) for key in _TIME_KEYS)
    state = spec.get("state", "connected" if end_time is None else "disconnected")
    attributes = dict(spec.get("attributes") or {})
    if not isinstance(participant_id, str) or "/" in participant_id:
        raise ValueError(f"participant id must be a string without '/': {participant_id!r}")
    if not isinstance(purpose, str) or not purpose:
        raise ValueError(f"participant purpose must be a non-empty string: {purpose!r}")
    if state not in CALL_STATES:
        raise ValueError(f"participant state must be one of {sorted(CALL_STATES)}: {state!r}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
        raise ValueError("participant attributes must map strings to strings")
    if start_time is None:  # now, unless a time given says the participant was there earlier
        start_time = min(moment for moment in (now, connected_time, end_time) if moment is not None)
    if connected_time is None and state == "connected":
        connected_time = start_time  # a connected call has a connect time; others only if given
    return Participant(
        participant_id,
        purpose,
        state,
        str(uuid.uuid4()),
        start_time,
        attributes,
        connected_time,
        end_time,
    )


def check_unique_ids(participants: Sequence[Participant]) -> None:
    ids = [p.id for p in participants]
    if len(set(ids)) != len(ids):
        raise ValueError(f"participant ids must be unique within a conversation: {ids}")


def parse_moment(value: Any, name: str) -> datetime | None:
    """A participant time: an ISO 8601 string (``...Z`` or with an offset) or a datetime; naive is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be an ISO 8601 date-time, got {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be an ISO 8601 date-time string, got {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
