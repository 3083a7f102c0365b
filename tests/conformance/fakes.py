"""An HTTP client that answers from a script and remembers what it was asked, and a clock that only
moves when the code under test sleeps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.http import HttpClient, RawAnswer
from conformance.targets import ClientCredentials, Pacing, Target


def answer(status: int, body: Any = None, **headers: str) -> RawAnswer:
    raw = b"" if body is None else json.dumps(body).encode()
    names = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    if body is not None:
        names.setdefault("content-type", "application/json")
    return RawAnswer(status, names, raw)


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


class ScriptedHttp(HttpClient):
    def __init__(self, *answers: RawAnswer) -> None:
        self.answers = list(answers)
        self.sent: list[Sent] = []

    def request(self, method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> RawAnswer:
        self.sent.append(Sent(method, url, headers, body))
        return self.answers.pop(0) if self.answers else answer(200, {})


@dataclass
class FakeClock:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def org_like_target(min_interval: float = 0.0, **changes: Any) -> Target:
    values: dict[str, Any] = {
        "kind": "org",
        "api_base_url": "https://api.example.test",
        "login_base_url": "https://login.example.test",
        "conversation_id": "11111111-1111-4111-8111-111111111111",
        "participant_id": "22222222-2222-4222-8222-222222222222",
        "credentials": ClientCredentials("client-id", "client-secret-value"),
        "pacing": Pacing(min_interval=min_interval, poll_interval=1.0),
    }
    values.update(changes)
    return Target(**values)
