"""The requests a check may make, declared before it runs.

Each check lists its :class:`PlannedRequest` s; the session refuses any request that is not in the
running check's plan (or exceeds its count), so the plan a dry run prints is every request a real run
can make. Paths are templates: the reports show them as such, never a real conversation's IDs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from conformance.targets import Target

MAX_READS = 10
"""Reads of the user's conversation before giving up on a write showing (read loops are bounded)."""

TOKEN_PATH = "/oauth/token"  # noqa: S105  # a path  # nosec B105
TOKENS_ME_PATH = "/api/v2/tokens/me"
CONVERSATION_PATH = "/api/v2/conversations/{conversation}"
MADE_UP_CONVERSATION_PATH = "/api/v2/conversations/{made_up_conversation}"
ATTRIBUTES_PATH = "/api/v2/conversations/{conversation}/participants/{participant}/attributes"
MADE_UP_PARTICIPANT_ATTRIBUTES_PATH = (
    "/api/v2/conversations/{conversation}/participants/{made_up_participant}/attributes"
)
MADE_UP_CONVERSATION_ATTRIBUTES_PATH = (
    "/api/v2/conversations/{made_up_conversation}/participants/{made_up_participant}/attributes"
)


@dataclass(frozen=True)
class PathIds:
    """The IDs the path templates name: the user's call, and IDs made up for this run (uuid4: no
    conversation or participant has them)."""

    conversation: str
    participant: str
    made_up_conversation: str
    made_up_participant: str

    @classmethod
    def for_target(cls, target: Target) -> PathIds:
        return cls(target.conversation_id, target.participant_id, str(uuid.uuid4()), str(uuid.uuid4()))


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    host: Literal["login", "api"]
    path: str  # a template over PathIds' field names
    purpose: str  # what it sends, in words
    times: int = 1  # at most this many (a read loop's bound)

    @property
    def template(self) -> str:
        """``METHOD {host}/path/{placeholders}``: how reports name the request."""
        return f"{self.method} {{{self.host}}}{self.path}"

    def url(self, target: Target, ids: PathIds) -> str:
        base = target.login_base_url if self.host == "login" else target.api_base_url
        return base + self.path.format(**vars(ids))

    def describe(self, target: Target, ids: PathIds) -> str:
        """One line of a dry run's plan."""
        repeat = f" (up to {self.times} times)" if self.times > 1 else ""
        return f"{self.method} {self.url(target, ids)}{repeat}: {self.purpose}"
