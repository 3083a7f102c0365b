"""A run goes on past a broken check, stops when Genesys asks for too long a wait or the user presses
Ctrl-C, and cleans up every key it wrote whatever happened."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conformance.checks import Check, Outcome
from conformance.plan import ATTRIBUTES_PATH, PlannedRequest
from conformance.runner import run_suite
from conformance.session import RateLimitedTooLong, Session
from tests.conformance.fakes import FakeClock, ScriptedHttp, answer, org_like_target

WRITE = PlannedRequest("PATCH", "api", ATTRIBUTES_PATH, "a write")
TARGET = org_like_target()


def _writes(session: Session) -> Outcome:
    session.access_token = "token-for-the-test"
    exchange = session.api(WRITE, {"conformance_a": session.run_id})
    return Outcome({"status": exchange.status}, {"status": (202,)})


def _raises(error: BaseException) -> Callable[[Session], Outcome]:
    def run(session: Session) -> Outcome:
        raise error

    return run


def _check(check_id: str, run: Callable[[Session], Outcome]) -> Check:
    return Check(check_id, "a behaviour", "an assumption", ("merge-vs-replace",), (WRITE,), run)


def _cleaned_participant() -> ScriptedHttp:
    """The write, then the cleanup's PATCH and its read, which shows the key empty."""
    participant = {"id": TARGET.participant_id, "attributes": {"conformance_a": ""}}
    return ScriptedHttp(answer(202), answer(202), answer(200, {"participants": [participant]}))


@pytest.mark.parametrize("stop", [RateLimitedTooLong("Genesys asks to wait 3600 s"), KeyboardInterrupt()])
def test_a_stopped_run_skips_the_rest_and_still_cleans_up(stop: BaseException) -> None:
    http = _cleaned_participant()
    clock = FakeClock()
    checks = [_check("writes", _writes), _check("stops", _raises(stop)), _check("later", _writes)]

    result = run_suite(TARGET, http, checks, clock=clock, sleep=clock.sleep)

    assert [r.kind for r in result.results] == ["match", "error", "not checked"]
    assert result.cleanup.keys_written == ["conformance_a"]
    assert result.cleanup.clean
    cleanup_patch = http.sent[1]
    assert cleanup_patch.method == "PATCH"
    assert json.loads(cleanup_patch.body or b"") == {"attributes": {"conformance_a": ""}}


def test_a_broken_check_is_an_error_and_the_run_goes_on() -> None:
    http = _cleaned_participant()
    checks = [_check("broken", _raises(ValueError("a bug"))), _check("writes", _writes)]

    result = run_suite(TARGET, http, checks, clock=FakeClock(), sleep=FakeClock().sleep)

    assert [(r.kind, r.reason) for r in result.results] == [("error", "ValueError: a bug"), ("match", None)]


def test_a_cleanup_that_cannot_read_back_is_not_clean() -> None:
    http = ScriptedHttp(answer(202), answer(202), *[answer(503, {})] * 10)

    result = run_suite(TARGET, http, [_check("writes", _writes)], clock=FakeClock(), sleep=FakeClock().sleep)

    assert result.cleanup.remaining is None
    assert not result.cleanup.clean
