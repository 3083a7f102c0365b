"""Everything the emulator knows, behind one lock: OAuth clients, tokens, conversations, faults, requests.

The HTTP layer (:mod:`genesys_emulator.server`) parses requests and writes answers; every decision that
depends on the emulated Genesys org is taken here, so the Python API and the admin HTTP API act on the
same state with the same rules.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .errors import RATE_LIMIT_WINDOW_SECONDS, ApiError, OAuthError
from .models import (
    CALL_STATES,
    ENDED_CALL_STATES,
    ConversationInfo,
    Fault,
    OAuthClient,
    ParticipantInfo,
    ParticipantSpec,
    RecordedRequest,
    request_matches,
)

_PARTICIPANT_KEYS = frozenset(ParticipantSpec.__annotations__)
_TIME_KEYS = ("start_time", "connected_time", "end_time")


def iso_millis(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss.SSSZ``: the date-time format the swagger's descriptions give."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class _Token:
    client_id: str
    expires_at: float  # time.monotonic()
    revoked: bool = False


@dataclass
class _Participant:
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


@dataclass
class _Conversation:
    id: str
    start_time: datetime
    participants: list[_Participant]


@dataclass
class _QueuedFault:
    fault: Fault
    remaining: int


@dataclass
class _RateLimit:
    limit: int
    window: float
    hits: dict[str, deque[float]] = field(default_factory=dict)


class EmulatorState:
    """The emulated org. Thread-safe: every read or change of the state happens under its one lock."""

    def __init__(self, clients: Iterable[OAuthClient] = (), rate_limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._initial_clients = tuple(clients)
        _rate_limit(rate_limit, RATE_LIMIT_WINDOW_SECONDS)  # validates
        self._initial_rate_limit = rate_limit
        self.org_id = str(uuid.uuid4())
        self.org_name = "Genesys Emulator Org"
        self._clients: dict[str, OAuthClient] = {}
        self._tokens: dict[str, _Token] = {}
        self._issued: list[str] = []
        self._conversations: dict[str, _Conversation] = {}
        self._faults: list[_QueuedFault] = []
        self._requests: list[RecordedRequest] = []
        self._rate_limit: _RateLimit | None = None
        self.reset()

    # --- configuration ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything and go back to the clients and rate limit given at construction."""
        with self._lock:
            self._clients = {c.client_id: c for c in self._initial_clients}
            self._tokens.clear()
            self._issued.clear()
            self._conversations.clear()
            self._faults.clear()
            self._requests.clear()
            self._rate_limit = _rate_limit(self._initial_rate_limit, RATE_LIMIT_WINDOW_SECONDS)

    def add_client(self, client: OAuthClient) -> None:
        """Add an OAuth client, or replace the one with the same id (its tokens stay valid)."""
        with self._lock:
            self._clients[client.client_id] = client

    def rotate_client_secret(self, client_id: str, new_secret: str) -> None:
        """Give a client a new secret: the old one is rejected from now on; issued tokens stay valid."""
        with self._lock:
            client = self._clients.get(client_id)
            if client is None:
                raise KeyError(f"unknown OAuth client {client_id!r}")
            self._clients[client_id] = OAuthClient(client_id, new_secret, client.token_lifetime, client.name)

    def set_rate_limit(self, limit: int | None, window_seconds: float = RATE_LIMIT_WINDOW_SECONDS) -> None:
        """Allow ``limit`` /api/v2 requests per token per sliding window; None turns limiting off.

        Every call starts with an empty window: requests made before it do not count.
        """
        rate_limit = _rate_limit(limit, window_seconds)
        with self._lock:
            self._rate_limit = rate_limit

    def rate_limit_settings(self) -> tuple[int | None, float]:
        """``(limit, window_seconds)``; the limit is None when rate limiting is off."""
        with self._lock:
            if self._rate_limit is None:
                return None, RATE_LIMIT_WINDOW_SECONDS
            return self._rate_limit.limit, self._rate_limit.window

    # --- tokens ----------------------------------------------------------------------------------------

    def authenticate_client(self, client_id: str, client_secret: str) -> OAuthClient:
        """Check client credentials (the Basic auth of ``POST /oauth/token``).

        Unknown client: 400 ``invalid_client``; wrong secret: 401 ``invalid_client``. Which status
        Genesys uses for which case is unconfirmed (api notes): clients must treat both as "credentials
        rejected".
        """
        with self._lock:
            client = self._clients.get(client_id)
        if client is None:
            raise OAuthError(400, "invalid_client", "client not found")
        if not hmac.compare_digest(client.client_secret.encode(), client_secret.encode()):
            raise OAuthError(401, "invalid_client", "authentication failed")
        return client

    def issue_token(self, client: OAuthClient) -> str:
        """A new opaque access token for an authenticated client, valid ``client.token_lifetime`` seconds."""
        token = secrets.token_urlsafe(64)
        with self._lock:
            self._tokens[token] = _Token(client.client_id, time.monotonic() + client.token_lifetime)
            self._issued.append(token)
        return token

    def authenticate(self, token: str | None) -> OAuthClient:
        """The client a bearer token belongs to; raises the 401 ``ErrorBody`` Genesys answers otherwise."""
        if not token:
            raise ApiError(401, "authentication.required")
        with self._lock:
            record = self._tokens.get(token)
            if record is None or record.revoked or time.monotonic() >= record.expires_at:
                raise ApiError(401, "bad.credentials")
            return self._clients[record.client_id]  # clients only go away with reset(), tokens with them

    def revoke_tokens(self) -> int:
        """Revoke every token issued so far; returns how many were still usable."""
        now = time.monotonic()
        with self._lock:
            live = [t for t in self._tokens.values() if not t.revoked and now < t.expires_at]
            for record in self._tokens.values():
                record.revoked = True
            return len(live)

    def expire_tokens(self) -> int:
        """Make every token issued so far expire now; returns how many were still usable."""
        now = time.monotonic()
        with self._lock:
            live = [t for t in self._tokens.values() if not t.revoked and now < t.expires_at]
            for record in self._tokens.values():
                record.expires_at = min(record.expires_at, now)
            return len(live)

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    def check_rate_limit(self, token: str) -> None:
        """Count one /api/v2 request of ``token``; raise the 429 Genesys answers past the limit.

        Genesys allows 300 requests per token per minute and answers 429 with ``Retry-After`` and code
        ``too.many.requests.retry.after`` (api notes). Rejected requests do not use up a slot.
        """
        now = time.monotonic()
        with self._lock:
            limit = self._rate_limit
            if limit is None:
                return
            hits = limit.hits.setdefault(token, deque())
            while hits and hits[0] <= now - limit.window:
                hits.popleft()
            if len(hits) < limit.limit:
                hits.append(now)
                return
            wait = max(1, math.ceil(hits[0] + limit.window - now))
        raise ApiError(
            429,
            "too.many.requests.retry.after",
            params={"limit": str(limit.limit), "window": f"{limit.window:g}"},
            headers={"Retry-After": str(wait)},
        )

    # --- conversations ---------------------------------------------------------------------------------

    def create_conversation(
        self, participants: Sequence[Mapping[str, Any]], conversation_id: str | None = None
    ) -> ConversationInfo:
        """Seed a conversation. Every participant key is optional (see :class:`ParticipantSpec`)."""
        now = datetime.now(UTC)
        built = [self._build_participant(spec, now) for spec in participants]
        _check_unique_ids(built)
        conversation = _Conversation(conversation_id or str(uuid.uuid4()), now, built)
        if not conversation.id or "/" in conversation.id:
            raise ValueError(f"conversation_id must be non-empty and contain no '/': {conversation.id!r}")
        with self._lock:
            if conversation.id in self._conversations:
                raise ValueError(f"conversation {conversation.id!r} already exists")
            self._conversations[conversation.id] = conversation
            return _info(conversation)

    @staticmethod
    def _build_participant(spec: Mapping[str, Any], now: datetime) -> _Participant:
        unknown = set(spec) - _PARTICIPANT_KEYS
        if unknown:
            raise ValueError(
                f"unknown participant keys {sorted(unknown)}; allowed: {sorted(_PARTICIPANT_KEYS)}"
            )
        participant_id = spec.get("id") or str(uuid.uuid4())
        purpose = spec.get("purpose", "customer")
        start_time, connected_time, end_time = (_moment(spec.get(key), key) for key in _TIME_KEYS)
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
        return _Participant(
            participant_id,
            purpose,
            state,
            str(uuid.uuid4()),
            start_time,
            attributes,
            connected_time,
            end_time,
        )

    def add_participant(self, conversation_id: str, spec: Mapping[str, Any]) -> ParticipantInfo:
        """A participant joins a conversation (a transfer, a callback): same keys as when seeding."""
        participant = self._build_participant(spec, datetime.now(UTC))
        with self._lock:
            conversation = self._conversation(conversation_id)
            _check_unique_ids([*conversation.participants, participant])
            conversation.participants.append(participant)
            return _participant_info(participant)

    def end_participant(
        self, conversation_id: str, participant_id: str, end_time: datetime | str | None = None
    ) -> ParticipantInfo:
        """The participant leaves: ``endTime`` set (now unless given; kept if it had left already) and its
        call ``disconnected`` (a ``terminated`` call stays so). It stays listed, as Genesys lists it."""
        moment = _moment(end_time, "end_time") or datetime.now(UTC)
        with self._lock:
            participant = self._participant(conversation_id, participant_id)
            participant.end(moment)
            return _participant_info(participant)

    def conversation_info(self, conversation_id: str) -> ConversationInfo:
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                raise KeyError(f"unknown conversation {conversation_id!r}")
            return _info(conversation)

    def participant_attributes(self, conversation_id: str, participant_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._participant(conversation_id, participant_id).attributes)

    def _conversation(self, conversation_id: str) -> _Conversation:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            raise KeyError(f"unknown conversation {conversation_id!r}")
        return conversation

    def _participant(self, conversation_id: str, participant_id: str) -> _Participant:
        conversation = self._conversation(conversation_id)
        for participant in conversation.participants:
            if participant.id == participant_id:
                return participant
        raise KeyError(f"conversation {conversation_id!r} has no participant {participant_id!r}")

    def merge_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str]
    ) -> None:
        """Apply an attributes PATCH: a per-key merge (api notes, "Merge vs replace"); 404 if unknown."""
        with self._lock:
            try:
                participant = self._participant(conversation_id, participant_id)
            except KeyError:
                raise ApiError(404, "not.found") from None
            participant.attributes.update(attributes)

    def conversation_body(self, conversation_id: str) -> dict[str, Any]:
        """The ``Conversation`` body of ``GET /api/v2/conversations/{id}`` (swagger definitions/Conversation).

        A participant's state is reported where the swagger puts it for a voice call, ``calls[].state``
        (``Participant`` has no ``state`` property); a participant that left has ``endTime``, and its call
        ``disconnectedTime``. Times that are not set are left out, as Genesys leaves them out.
        """
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                raise ApiError(404, "not.found")
            return {
                "id": conversation.id,
                "startTime": iso_millis(conversation.start_time),
                "participants": [_participant_body(p) for p in conversation.participants],
                "selfUri": f"/api/v2/conversations/{conversation.id}",
            }

    # --- faults ----------------------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(_QueuedFault(fault, fault.count))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> list[Fault]:
        """Queued faults, each with its remaining count."""
        with self._lock:
            return [replace(q.fault, count=q.remaining) for q in self._faults]

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first queued fault matching this request, using up one of its count."""
        with self._lock:
            for index, queued in enumerate(self._faults):
                if queued.fault.matches(method, path):
                    queued.remaining -= 1
                    if queued.remaining <= 0:
                        del self._faults[index]
                    return queued.fault
            return None

    # --- recorded requests -----------------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def recorded(self, method: str | None = None, path_prefix: str | None = None) -> list[RecordedRequest]:
        """The recorded requests, oldest first, optionally only those of a method and/or under a path."""
        with self._lock:
            return [r for r in self._requests if request_matches(r.method, r.path, method, path_prefix)]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()


def _rate_limit(limit: int | None, window_seconds: float) -> _RateLimit | None:
    """A fresh, validated rate limit (None: off)."""
    if limit is not None and limit < 1:
        raise ValueError(f"rate limit must be at least 1 request, got {limit}")
    if window_seconds <= 0:
        raise ValueError(f"window_seconds must be positive, got {window_seconds}")
    return None if limit is None else _RateLimit(limit, float(window_seconds))


def _info(conversation: _Conversation) -> ConversationInfo:
    return {"id": conversation.id, "participants": [_participant_info(p) for p in conversation.participants]}


def _participant_info(participant: _Participant) -> ParticipantInfo:
    return {
        "id": participant.id,
        "purpose": participant.purpose,
        "state": participant.state,
        "attributes": dict(participant.attributes),
    }


def _participant_body(participant: _Participant) -> dict[str, Any]:
    """A swagger ``Participant`` with its one voice ``Call``; unset times are left out."""
    body: dict[str, Any] = {"id": participant.id, "startTime": iso_millis(participant.start_time)}
    call: dict[str, Any] = {"id": participant.call_id, "state": participant.state}
    if participant.connected_time is not None:
        body["connectedTime"] = call["connectedTime"] = iso_millis(participant.connected_time)
    if participant.end_time is not None:
        body["endTime"] = iso_millis(participant.end_time)
        if participant.state in ENDED_CALL_STATES:
            call["disconnectedTime"] = body["endTime"]
    body["purpose"] = participant.purpose
    body["attributes"] = dict(participant.attributes)
    body["calls"] = [call]
    return body


def _check_unique_ids(participants: Sequence[_Participant]) -> None:
    ids = [p.id for p in participants]
    if len(set(ids)) != len(ids):
        raise ValueError(f"participant ids must be unique within a conversation: {ids}")


def _moment(value: Any, name: str) -> datetime | None:
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
