"""Run the checks against one target, then clean up: every key written is set to ``""`` and read back.

The cleanup runs whatever happened before it (a failed check, a stopped run, Ctrl-C), and reports what
remains on the participant: Genesys documents no way to delete a key (docs/genesys-facts.md#merge-vs-replace),
so the keys stay, empty.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from conformance.checks import SUITE, Check, NotChecked, Outcome
from conformance.http import HttpClient
from conformance.plan import ATTRIBUTES_PATH, CONVERSATION_PATH, MAX_READS, PlannedRequest
from conformance.session import Exchange, RateLimitedTooLong, Session
from conformance.targets import Target

ResultKind = Literal["match", "differs", "not checked", "error"]

CLEAN_UP = PlannedRequest("PATCH", "api", ATTRIBUTES_PATH, 'sets every conformance_ key the run wrote to ""')
CLEAN_UP_READS = PlannedRequest(
    "GET", "api", CONVERSATION_PATH, 'reads until every key written reads "" (or is gone)', MAX_READS
)
CLEANUP_PLAN = (CLEAN_UP, CLEAN_UP_READS)


@dataclass
class CheckResult:
    check: Check
    kind: ResultKind
    outcome: Outcome | None
    reason: str | None  # why it was not checked, what went wrong, or which findings differ
    exchanges: list[Exchange]


@dataclass
class Cleanup:
    keys_written: list[str]
    remaining: dict[str, str] | None = None  # key -> "empty" or "not empty"; None: could not be read
    error: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Every key written now reads ``""`` or is gone (nothing written is clean too)."""
        if not self.keys_written:
            return True
        return (
            self.error is None and self.remaining is not None and "not empty" not in self.remaining.values()
        )


@dataclass
class RunResult:
    target: Target
    started_at: datetime
    finished_at: datetime
    results: list[CheckResult]
    cleanup: Cleanup


def run_suite(
    target: Target,
    http: HttpClient,
    checks: Sequence[Check] = SUITE,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[CheckResult], None] = lambda result: None,
) -> RunResult:
    session = Session(target, http, clock=clock, sleep=sleep)
    started_at = datetime.now(UTC)
    results: list[CheckResult] = []
    try:
        stopped: str | None = None  # why the run stopped early: the checks left are not run
        for check in checks:
            if stopped is not None:
                result = CheckResult(check, "not checked", None, f"not run: {stopped}", [])
            else:
                try:
                    result = _run_check(session, check)
                except (RateLimitedTooLong, KeyboardInterrupt) as error:
                    stopped = str(error) or "interrupted"  # Ctrl-C: stop, but clean up and report
                    result = CheckResult(check, "error", None, stopped, session.exchanges)
            results.append(result)
            progress(result)
    finally:
        cleanup = clean_up(session)
    return RunResult(target, started_at, datetime.now(UTC), results, cleanup)


def _run_check(session: Session, check: Check) -> CheckResult:
    session.begin(check.plan_for(session.target))
    try:
        outcome = check.run(session)
    except NotChecked as reason:
        return CheckResult(check, "not checked", None, str(reason), session.exchanges)
    except RateLimitedTooLong:
        raise
    except Exception as error:  # a check that broke is reported as such; the run goes on
        return CheckResult(check, "error", None, f"{type(error).__name__}: {error}", session.exchanges)
    unanswered = [e.answer.error for e in session.exchanges if e.answer.error]
    if unanswered:
        return CheckResult(check, "error", outcome, f"no answer: {unanswered[0]}", session.exchanges)
    mismatches = outcome.mismatches()
    if mismatches:
        return CheckResult(
            check, "differs", outcome, f"differs in {', '.join(mismatches)}", session.exchanges
        )
    return CheckResult(check, "match", outcome, None, session.exchanges)


def clean_up(session: Session) -> Cleanup:
    """Set every key the run wrote to the user's participant to ``""``, then read until they read so."""
    keys = list(session.written_keys)
    cleanup = Cleanup(keys)
    if not keys:
        return cleanup
    session.begin(CLEANUP_PLAN)
    try:
        session.api(CLEAN_UP, dict.fromkeys(keys, ""))
        poll = session.read_participant(CLEAN_UP_READS, lambda a: all(a.get(key, "") == "" for key in keys))
    except Exception as error:  # reported, and the run fails: the user must clean up by hand
        cleanup.error = f"{type(error).__name__}: {error}"
    else:
        if poll.attributes is not None:
            cleanup.remaining = {
                key: "empty" if poll.attributes[key] == "" else "not empty"
                for key in keys
                if key in poll.attributes
            }
    cleanup.exchanges = session.exchanges
    return cleanup
