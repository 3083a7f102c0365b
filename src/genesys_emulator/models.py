"""Plain data types of the emulator's public API: faults, recorded requests, OAuth clients, conversations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypedDict, get_args

FaultAction = Literal["reset", "malformed_json"]
"""What a fault does instead of answering normally (see :class:`Fault`)."""

FAULT_ACTIONS: frozenset[str] = frozenset(get_args(FaultAction))

DEFAULT_TOKEN_LIFETIME = 86400
"""Seconds: Genesys's default access-token lifetime (docs/genesys-facts.md#client-credentials-token)."""

CALL_STATES: frozenset[str] = frozenset(
    {
        "alerting",
        "dialing",
        "contacting",
        "offering",
        "connected",
        "disconnected",
        "terminated",
        "converting",
        "uploading",
        "transmitting",
        "none",
    }
)
"""The swagger's ``Call.state`` enum: where Genesys reports a voice participant's state."""

ENDED_CALL_STATES: frozenset[str] = frozenset({"disconnected", "terminated"})
"""The call states after which the call is over."""


@dataclass(frozen=True)
class Fault:
    """A misbehaviour the emulator applies to the next ``count`` requests that match it.

    A request matches when its method equals ``method`` (any method if None) and its path starts with
    ``path_prefix`` (any path if None). Faults are checked in the order they were queued; the first one
    that matches is applied and its remaining count drops by one, so several faults for the same
    requests are consumed first in, first out. Admin requests (``/_emulator/...``) never match.

    What the fault does:

    * ``status`` only: answer that status with a Genesys ``ErrorBody`` (plus a ``Retry-After: <n>``
      header when ``retry_after`` is given), without running the real endpoint.
    * ``hang_seconds``: wait that long first, then answer normally, or with ``status`` / ``action``
      when those are given too. Stopping the emulator ends the wait at once and closes the connection
      without an answer.
    * ``action="reset"``: send a status line (``status``, default 200) and headers announcing a larger
      ``Content-Length`` than what follows, a partial body, then abort the connection with a TCP RST.
    * ``action="malformed_json"``: answer ``status`` (default 200) with ``Content-Type:
      application/json`` and a body that is not valid JSON.
    """

    status: int | None = None
    count: int = 1
    retry_after: int | None = None
    hang_seconds: float | None = None
    action: FaultAction | None = None
    method: str | None = None
    path_prefix: str | None = None

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"Fault.count must be at least 1, got {self.count}")
        if self.action is not None and self.action not in FAULT_ACTIONS:
            raise ValueError(
                f"Fault.action must be one of {sorted(FAULT_ACTIONS)} or None, got {self.action!r}"
            )
        if self.status is not None:
            low = 100 if self.action is not None else 400
            if not low <= self.status <= 599:
                raise ValueError(
                    f"Fault.status must be in {low}..599 for this fault (an error answer needs 4xx/5xx), "
                    f"got {self.status}"
                )
        if self.status is None and self.hang_seconds is None and self.action is None:
            raise ValueError("a Fault needs at least one of status, hang_seconds or action")
        if self.retry_after is not None:
            if self.status is None:
                raise ValueError("Fault.retry_after is a header of the answer: give a status too")
            if self.retry_after < 0:
                raise ValueError(f"Fault.retry_after must be >= 0 seconds, got {self.retry_after}")
        if self.hang_seconds is not None and self.hang_seconds < 0:
            raise ValueError(f"Fault.hang_seconds must be >= 0, got {self.hang_seconds}")
        if self.path_prefix is not None and not self.path_prefix.startswith("/"):
            raise ValueError(f"Fault.path_prefix must start with '/', got {self.path_prefix!r}")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with this method and path (no query string) is affected by this fault."""
        return request_matches(method, path, self.method, self.path_prefix)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator answered (or dropped), as seen on the wire.

    ``status`` is the status line sent (for ``action="reset"`` too), or 0 when no status line was sent
    (the connection was closed because the emulator stopped during a hang, or the request was
    unreadable). ``token`` is the bearer token the request carried, valid or not (None without one).
    ``started_at`` is wall-clock epoch seconds, ``duration`` the seconds until the answer was ready to go
    out (the request is recorded just before its answer is sent, so a client that got an answer always
    finds its request recorded).
    ``empty_attributes`` is True for an attributes PATCH whose ``attributes`` map was ``{}``.
    ``fault`` names the fault applied, if any: "status", "hang", "reset" or "malformed_json".
    """

    method: str
    path: str
    status: int
    token: str | None
    started_at: float
    duration: float
    empty_attributes: bool = False
    fault: str | None = None


@dataclass(frozen=True)
class OAuthClient:
    """A client-credentials OAuth client the token endpoint accepts.

    ``token_lifetime`` is in seconds. Genesys allows 300..172800 (default 86400,
    docs/genesys-facts.md#client-credentials-token); the emulator accepts any value >= 1 so that tests
    can watch a token expire within a second or two.
    """

    client_id: str
    client_secret: str
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    name: str | None = field(default=None)

    def __post_init__(self) -> None:
        if not self.client_id or ":" in self.client_id:
            raise ValueError("client_id must be non-empty and contain no ':' (it is sent as Basic auth)")
        if not self.client_secret:
            raise ValueError("client_secret must be non-empty")
        if self.token_lifetime < 1:
            raise ValueError(f"token_lifetime must be at least 1 second, got {self.token_lifetime}")


class ParticipantSpec(TypedDict, total=False):
    """A participant to seed with :meth:`GenesysEmulator.create_conversation` (every key optional).

    ``purpose`` defaults to "customer", ``id`` to a uuid4. Times are ISO 8601 strings (``...Z`` or with
    an offset; datetimes in-process): ``start_time`` defaults to now (or the earliest time given, if
    earlier), ``connected_time`` to ``start_time`` when the call is "connected" (else unset), ``end_time``
    (the participant has left) to unset. ``state`` (the call's state) defaults to "connected", or
    "disconnected" with an ``end_time``.
    """

    id: str
    purpose: str
    state: str
    attributes: dict[str, str]
    start_time: str | datetime
    connected_time: str | datetime
    end_time: str | datetime


class ParticipantInfo(TypedDict):
    """A seeded participant as the Python and admin APIs report it."""

    id: str
    purpose: str
    state: str
    attributes: dict[str, str]


class ConversationInfo(TypedDict):
    """A seeded conversation as the Python and admin APIs report it."""

    id: str
    participants: list[ParticipantInfo]


def request_matches(method: str, path: str, want_method: str | None, path_prefix: str | None) -> bool:
    """The filter of faults and recorded requests: this method (if given), path under prefix (if given)."""
    if want_method is not None and want_method.upper() != method.upper():
        return False
    return path_prefix is None or path.startswith(path_prefix)
