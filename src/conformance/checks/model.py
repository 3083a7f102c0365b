"""What a check is: a behaviour, what the service assumes about it (and the fact that rests on), the
requests it may make, and a function that observes the target and returns an :class:`Outcome`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.plan import PlannedRequest
from conformance.session import Exchange, Session
from conformance.targets import Target

FACTS_DOCUMENT = "docs/genesys-facts.md"
ERROR_BODY_KEYS = ("message", "code", "status", "contextId")
"""The ``ErrorBody`` properties every Platform API error answer fills
(docs/genesys-facts.md#platform-api-errors)."""


class NotChecked(Exception):
    """The behaviour could not be observed on this target; the message says why."""


@dataclass
class Outcome:
    """What a check observed.

    ``findings`` are compared with the emulator's answers to the same check, so they hold only what
    should be equal on both (statuses, shapes, codes, yes/no conclusions), never IDs, values or times.
    ``expected`` gives, for some findings, the values the service's reading allows; the behaviour
    matches when every one of them is among its allowed values. ``timings`` and ``notes`` are evidence.
    """

    findings: dict[str, Any]
    expected: dict[str, tuple[Any, ...]]
    timings: dict[str, float | int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def mismatches(self) -> list[str]:
        """The findings that are not among their allowed values."""
        return [name for name, allowed in self.expected.items() if self.findings.get(name) not in allowed]


@dataclass(frozen=True)
class Check:
    id: str
    behaviour: str  # what Genesys does, in a sentence
    assumption: str  # what the service (and so the emulator) takes it to do
    anchors: tuple[str, ...]  # the facts the assumption rests on: docs/genesys-facts.md#<anchor>
    plan: tuple[PlannedRequest, ...]
    run: Callable[[Session], Outcome]
    provoked_on_emulator_only: bool = False
    """Never provoked on a real org (a 429): there it is only recorded if it happens anyway."""

    def plan_for(self, target: Target) -> tuple[PlannedRequest, ...]:
        if self.provoked_on_emulator_only and target.set_rate_limit is None:
            return ()
        return self.plan

    @property
    def citations(self) -> list[str]:
        return [f"{FACTS_DOCUMENT}#{anchor}" for anchor in self.anchors]


def answer_time(exchange: Exchange) -> dict[str, float | int]:
    """The timings of a check that judges one answer: how long it took."""
    return {"seconds": round(exchange.answer.seconds, 3)}


def error_findings(exchange: Exchange) -> dict[str, Any]:
    """Status, media type, whether the body is an ``ErrorBody``, its keys and its code."""
    body = exchange.json_object
    return {
        "status": exchange.status,
        "content_type": exchange.media_type,
        "error_body": error_body_shape(body),
        "error_keys": sorted(body) if body is not None else None,
        "code": exchange.code,
    }


def error_expectation(status: int, *codes: str) -> dict[str, tuple[Any, ...]]:
    return {
        "status": (status,),
        "content_type": ("application/json",),
        "error_body": ("ErrorBody",),
        "code": codes,
    }


def error_body_shape(body: dict[str, Any] | None) -> str:
    if body is None:
        return "not a JSON object"
    missing = [key for key in ERROR_BODY_KEYS if key not in body]
    return "ErrorBody" if not missing else f"JSON object without {', '.join(missing)}"
