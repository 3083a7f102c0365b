"""Everything the emulator knows, behind one lock: OAuth clients, tokens, conversations, faults, requests.

The HTTP side (:mod:`genesys_emulator.http_handler` on the wire, :mod:`genesys_emulator.platform_api`
for the endpoints) parses requests and writes answers; every decision that depends on the emulated
Genesys org is taken here, so the Python API and the admin HTTP API act on the same state with the same
rules. The conversations themselves are plain data (:mod:`genesys_emulator.conversations`).
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

from .conversations import Conversation, check_unique_ids, new_conversation, new_participant, parse_moment
from .errors import RATE_LIMIT_WINDOW_SECONDS, ApiError, OAuthError
from .models import ConversationInfo, Fault, OAuthClient, ParticipantInfo, RecordedRequest, request_matches


@dataclass
class _Token:
    client_id: str
    expires_at: float  # time.monotonic()
    revoked: bool = False


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
        self._conversations: dict[str, Conversation] = {}
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
        Genesys uses for which case is unconfirmed (docs/genesys-facts.md#rejected-credentials): clients
        must treat both as "credentials rejected".
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
        ``too.many.requests.retry.after`` (docs/genesys-facts.md#rate-limits). Rejected requests do not
        use up a slot.
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
        conversation = new_conversation(participants, conversation_id, datetime.now(UTC))
        with self._lock:
            if conversation.id in self._conversations:
                raise ValueError(f"conversation {conversation.id!r} already exists")
            self._conversations[conversation.id] = conversation
            return conversation.info()

    def add_participant(self, conversation_id: str, spec: Mapping[str, Any]) -> ParticipantInfo:
        """A participant joins a conversation (a transfer, a callback): same keys as when seeding."""
        participant = new_participant(spec, datetime.now(UTC))
        with self._lock:
            conversation = self._conversation(conversation_id)
            check_unique_ids([*conversation.participants, participant])
            conversation.participants.append(participant)
            return participant.info()

    def end_participant(
        self, conversation_id: str, participant_id: str, end_time: datetime | str | None = None
    ) -> ParticipantInfo:
        """The participant leaves: ``endTime`` set (now unless given; kept if it had left already) and its
        call ``disconnected`` (a ``terminated`` call stays so). It stays listed, as Genesys lists it."""
        moment = parse_moment(end_time, "end_time") or datetime.now(UTC)
        with self._lock:
            participant = self._conversation(conversation_id).participant(participant_id)
            participant.end(moment)
            return participant.info()

    def conversation_info(self, conversation_id: str) -> ConversationInfo:
        with self._lock:
            return self._conversation(conversation_id).info()

    def participant_attributes(self, conversation_id: str, participant_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._conversation(conversation_id).participant(participant_id).attributes)

    def _conversation(self, conversation_id: str) -> Conversation:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            raise KeyError(f"unknown conversation {conversation_id!r}")
        return conversation

    def merge_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str]
    ) -> None:
        """Apply an attributes PATCH: a per-key merge (docs/genesys-facts.md#merge-vs-replace); 404 if
        the conversation or participant is unknown."""
        with self._lock:
            try:
                participant = self._conversation(conversation_id).participant(participant_id)
            except KeyError:
                raise ApiError(404, "not.found") from None
            participant.attributes.update(attributes)

    def conversation_body(self, conversation_id: str) -> dict[str, Any]:
        """The ``Conversation`` body of ``GET /api/v2/conversations/{id}``; 404 if unknown."""
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                raise ApiError(404, "not.found")
            return conversation.body()

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
