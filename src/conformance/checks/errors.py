"""Error answers: unknown conversations and participants, an oversized body, a non-string value, and
the 429 (provoked on the emulator only; on a real org recorded only if Genesys answers one anyway)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from conformance.checks.model import (
    Check,
    NotChecked,
    Outcome,
    answer_time,
    error_expectation,
    error_findings,
)
from conformance.plan import (
    ATTRIBUTES_PATH,
    MADE_UP_CONVERSATION_ATTRIBUTES_PATH,
    MADE_UP_CONVERSATION_PATH,
    MADE_UP_PARTICIPANT_ATTRIBUTES_PATH,
    TOKENS_ME_PATH,
    PlannedRequest,
)
from conformance.session import Exchange, Session, retry_after_seconds
from genesys_emulator import MAX_REQUEST_BYTES

PROBE_KEY = "conformance_probe"
OVERSIZED_KEY = "conformance_oversized"
NUMBER_KEY = "conformance_number"
OVERSIZED_VALUE_LENGTH = MAX_REQUEST_BYTES + 1024  # the body is over Genesys's 512000 bytes

READ_MADE_UP_CONVERSATION = PlannedRequest(
    "GET", "api", MADE_UP_CONVERSATION_PATH, "a made-up conversation ID (what the health check reads)"
)
PATCH_MADE_UP_CONVERSATION = PlannedRequest(
    "PATCH",
    "api",
    MADE_UP_CONVERSATION_ATTRIBUTES_PATH,
    f'sends {{"{PROBE_KEY}": "<run id>"}} to made-up IDs',
)
PATCH_MADE_UP_PARTICIPANT = PlannedRequest(
    "PATCH",
    "api",
    MADE_UP_PARTICIPANT_ATTRIBUTES_PATH,
    f'sends {{"{PROBE_KEY}": "<run id>"}} to a made-up participant',
)
PATCH_OVERSIZED = PlannedRequest(
    "PATCH",
    "api",
    ATTRIBUTES_PATH,
    f"sends {OVERSIZED_KEY} with a value of {OVERSIZED_VALUE_LENGTH} characters",
)
PATCH_NUMBER = PlannedRequest(
    "PATCH", "api", ATTRIBUTES_PATH, f'sends {{"{NUMBER_KEY}": 5}}: a number, not a string'
)
RATE_LIMITED_READS = PlannedRequest(
    "GET",
    "api",
    TOKENS_ME_PATH,
    "emulator only, its rate limit set to one request a minute: the second read answers 429",
    2,
)


def _error_outcome(exchange: Exchange, expected: dict[str, tuple[Any, ...]], **extra: Any) -> Outcome:
    return Outcome(
        findings={**error_findings(exchange), **extra},
        expected=expected,
        timings=answer_time(exchange),
    )


def _read_made_up_conversation(session: Session) -> Outcome:
    return _error_outcome(session.api(READ_MADE_UP_CONVERSATION), error_expectation(404, "not.found"))


def _patch_made_up(planned: PlannedRequest, session: Session) -> Outcome:
    """The probe key PATCHed with `planned`, whose path holds a made-up ID."""
    exchange = session.api(planned, {PROBE_KEY: session.run_id})
    return _error_outcome(exchange, error_expectation(404, "not.found"))


def _patch_oversized(session: Session) -> Outcome:
    exchange = session.api(PATCH_OVERSIZED, {OVERSIZED_KEY: "x" * OVERSIZED_VALUE_LENGTH})
    expected = {key: allowed for key, allowed in error_expectation(413).items() if key != "code"}
    outcome = _error_outcome(exchange, expected, message=exchange.message)
    outcome.notes.append(f"the body was over {MAX_REQUEST_BYTES} bytes")
    return outcome


def _patch_number(session: Session) -> Outcome:
    exchange = session.api(PATCH_NUMBER, {NUMBER_KEY: 5})
    return _error_outcome(exchange, error_expectation(400, "invalid.value", "bad.request"))


def _retry_after_form(value: str | None) -> str:
    if value is None:
        return "missing"
    if value.strip().isdigit():
        return "whole seconds"
    return "HTTP date" if retry_after_seconds(value, datetime.now(UTC)) is not None else "unreadable"


def _rate_limit_outcome(exchange: Exchange) -> Outcome:
    retry_after = _retry_after_form(exchange.answer.headers.get("retry-after"))
    if exchange.request.startswith("HEAD "):  # an answer to HEAD has no body to judge
        return Outcome(
            findings={"status": exchange.status, "retry_after": retry_after},
            expected={"status": (429,), "retry_after": ("whole seconds",)},
            notes=["the 429 answered a HEAD request: no body to compare"],
        )
    expected = {
        **error_expectation(429, "too.many.requests.retry.after"),
        "retry_after": ("whole seconds",),
    }
    return _error_outcome(exchange, expected, retry_after=retry_after)


def _rate_limit(session: Session) -> Outcome:
    switch = session.target.set_rate_limit
    if switch is None:  # a real org: never provoked, only recorded
        if not session.rate_limited:
            raise NotChecked(
                "no request of this run was answered 429; the suite never provokes one on a real org"
            )
        with_body = [e for e in session.rate_limited if not e.request.startswith("HEAD ")]
        outcome = _rate_limit_outcome((with_body or session.rate_limited)[0])
        outcome.notes.append(
            f"observed, not provoked: {len(session.rate_limited)} answers 429 during the run"
        )
        return outcome
    switch(1)
    try:
        session.api(RATE_LIMITED_READS, honour_retry_after=False)
        exchange = session.api(RATE_LIMITED_READS, honour_retry_after=False)
    finally:
        switch(None)
    return _rate_limit_outcome(exchange)


ERROR_CHECKS = (
    Check(
        id="get-unknown-conversation",
        behaviour="`GET /api/v2/conversations/{id}` of a conversation that does not exist.",
        assumption="404 with an ErrorBody, code `not.found`: the service's health check reads a made-up "
        "conversation and takes 404 as healthy.",
        anchors=("get-conversation", "platform-api-errors"),
        plan=(READ_MADE_UP_CONVERSATION,),
        run=_read_made_up_conversation,
    ),
    Check(
        id="patch-unknown-conversation",
        behaviour="The attributes PATCH on a conversation that does not exist.",
        assumption="404 with an ErrorBody, code `not.found`.",
        anchors=("platform-api-errors",),
        plan=(PATCH_MADE_UP_CONVERSATION,),
        run=partial(_patch_made_up, PATCH_MADE_UP_CONVERSATION),
    ),
    Check(
        id="patch-unknown-participant",
        behaviour="The attributes PATCH on a participant the conversation does not have.",
        assumption="404 with an ErrorBody, code `not.found`.",
        anchors=("platform-api-errors",),
        plan=(PATCH_MADE_UP_PARTICIPANT,),
        run=partial(_patch_made_up, PATCH_MADE_UP_PARTICIPANT),
    ),
    Check(
        id="patch-oversized-body",
        behaviour="The attributes PATCH with a body over 512000 bytes.",
        assumption='413 with an ErrorBody ("The request is over the size limit").',
        anchors=("request-size", "platform-api-errors"),
        plan=(PATCH_OVERSIZED,),
        run=_patch_oversized,
    ),
    Check(
        id="patch-non-string-value",
        behaviour="The attributes PATCH with a value that is not a string.",
        assumption="400 with an ErrorBody, code `invalid.value` or `bad.request`: values are strings.",
        anchors=("participant-attributes-patch", "platform-api-errors"),
        plan=(PATCH_NUMBER,),
        run=_patch_number,
    ),
    Check(
        id="rate-limit-429",
        behaviour="The Platform API's answer past the rate limit.",
        assumption="429 with an ErrorBody, code `too.many.requests.retry.after`, and `Retry-After` in whole "
        "seconds.",
        anchors=("rate-limits",),
        plan=(RATE_LIMITED_READS,),
        run=_rate_limit,
        provoked_on_emulator_only=True,
    ),
)
