"""The session's rules, with a scripted HTTP client: the plan, the reserved prefix, pacing, Retry-After,
what the cleanup is told was written, and what evidence keeps of an answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from conformance.http import RawAnswer
from conformance.plan import ATTRIBUTES_PATH, CONVERSATION_PATH, TOKEN_PATH, TOKENS_ME_PATH, PlannedRequest
from conformance.session import (
    ForbiddenKey,
    NoToken,
    PlanViolation,
    RateLimitedTooLong,
    Session,
    retry_after_seconds,
)
from tests.conformance.fakes import FakeClock, ScriptedHttp, answer, org_like_target

PATCH = PlannedRequest("PATCH", "api", ATTRIBUTES_PATH, "a write")
HEAD = PlannedRequest("HEAD", "api", TOKENS_ME_PATH, "a probe", times=2)
READS = PlannedRequest("GET", "api", CONVERSATION_PATH, "reads", times=3)
TOKEN = PlannedRequest("POST", "login", TOKEN_PATH, "a token")


def _session(http: ScriptedHttp, clock: FakeClock | None = None, min_interval: float = 0.0) -> Session:
    clock = clock or FakeClock()
    session = Session(org_like_target(min_interval), http, clock=clock, sleep=clock.sleep)
    session.access_token = "token-value-for-the-test"
    return session


def test_a_request_outside_the_running_checks_plan_is_refused_before_it_is_sent() -> None:
    http = ScriptedHttp()
    session = _session(http)
    session.begin([HEAD])

    session.api(HEAD)
    session.api(HEAD)
    with pytest.raises(PlanViolation):
        session.api(HEAD)  # over its count
    with pytest.raises(PlanViolation):
        session.api(READS)  # not planned at all
    assert len(http.sent) == 2


def test_a_key_without_the_reserved_prefix_is_never_sent() -> None:
    http = ScriptedHttp()
    session = _session(http)
    session.begin([PATCH])

    with pytest.raises(ForbiddenKey):
        session.api(PATCH, {"conformance_ok": "1", "customer_tier": "gold"})
    assert http.sent == []
    assert session.written_keys == []


def test_api_requests_need_the_token_the_token_check_obtains() -> None:
    session = _session(ScriptedHttp())
    session.access_token = None
    session.begin([HEAD])

    with pytest.raises(NoToken):
        session.api(HEAD)


def test_requests_are_spaced_by_the_minimum_interval() -> None:
    clock = FakeClock()
    session = _session(ScriptedHttp(), clock, min_interval=0.5)
    session.begin([HEAD])

    session.api(HEAD)
    clock.now += 0.2  # the check itself took 0.2 s
    session.api(HEAD)

    assert clock.sleeps == [pytest.approx(0.3)]


def test_after_a_429_it_waits_what_retry_after_asks_then_sends_again() -> None:
    clock = FakeClock()
    http = ScriptedHttp(
        answer(429, {"code": "too.many.requests.retry.after"}, retry_after="7"), answer(200, {})
    )
    session = _session(http, clock)
    session.begin([HEAD])

    exchange = session.api(HEAD)

    assert exchange.status == 200
    assert clock.sleeps == [7.0]
    assert len(http.sent) == 2
    assert [e.status for e in session.exchanges] == [429, 200]
    assert [e.status for e in session.rate_limited] == [429]


def test_a_provoked_429_is_returned_as_is() -> None:
    clock = FakeClock()
    http = ScriptedHttp(answer(429, {}, retry_after="60"))
    session = _session(http, clock)
    session.begin([HEAD])

    assert session.api(HEAD, honour_retry_after=False).status == 429
    assert clock.sleeps == []


def test_a_retry_after_longer_than_the_run_accepts_stops_it() -> None:
    session = _session(ScriptedHttp(answer(429, {}, retry_after="3600")))
    session.begin([HEAD])

    with pytest.raises(RateLimitedTooLong, match="3600"):
        session.api(HEAD)


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2025, 1, 2, 12, 0, 0, tzinfo=UTC)

    assert retry_after_seconds("5", now) == 5.0
    assert retry_after_seconds("Thu, 02 Jan 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Thu, 02 Jan 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize(
    ("reply", "written"),
    [
        (answer(202), True),
        (answer(500, {}), True),
        (RawAnswer(None, error="ReadTimeoutError: the answer was lost"), True),
        (answer(400, {}), False),
        (answer(404, {}), False),
        (answer(413, {}), False),
    ],
)
def test_keys_are_remembered_for_the_cleanup_unless_the_write_was_refused(
    reply: RawAnswer, written: bool
) -> None:
    session = _session(ScriptedHttp(reply))
    session.begin([PATCH])

    session.api(PATCH, {"conformance_a": "1"})

    assert session.written_keys == (["conformance_a"] if written else [])


def test_writes_to_made_up_ids_are_not_cleanup_work() -> None:
    made_up = PlannedRequest(
        "PATCH",
        "api",
        "/api/v2/conversations/{made_up_conversation}/participants/{participant}/attributes",
        "x",
    )
    session = _session(ScriptedHttp(answer(202)))
    session.begin([made_up])

    session.api(made_up, {"conformance_probe": "1"})

    assert session.written_keys == []


def test_the_token_request_is_a_form_post_with_basic_client_authentication() -> None:
    http = ScriptedHttp(
        answer(200, {"access_token": "secret-token-abc", "token_type": "bearer", "expires_in": 86400})
    )
    session = _session(http)
    session.begin([TOKEN])

    exchange = session.token(TOKEN, "client-id", "client-secret-value")

    (sent,) = http.sent
    assert (sent.method, sent.url, sent.body) == (
        "POST",
        "https://login.example.test/oauth/token",
        b"grant_type=client_credentials",
    )
    assert sent.headers["Authorization"] == "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQtdmFsdWU="
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    evidence = json.dumps(exchange.evidence())
    assert "secret-token-abc" not in evidence
    assert exchange.evidence()["body_keys"] == ["access_token", "expires_in", "token_type"]


def test_reads_stop_when_the_write_shows_and_give_up_after_their_bound() -> None:
    participant = org_like_target().participant_id

    def conversation(value: str) -> RawAnswer:
        return answer(200, {"participants": [{"id": participant, "attributes": {"conformance_x": value}}]})

    clock = FakeClock()
    session = _session(ScriptedHttp(conversation("old"), conversation("new")), clock)
    session.begin([READS])
    poll = session.read_participant(READS, lambda a: a.get("conformance_x") == "new", max_reads=3)
    assert (poll.satisfied, poll.reads, clock.sleeps) == (True, 2, [1.0])

    session = _session(ScriptedHttp(*[conversation("old")] * 3), FakeClock())
    session.begin([READS])
    poll = session.read_participant(READS, lambda a: a.get("conformance_x") == "new", max_reads=3)
    assert (poll.satisfied, poll.reads, poll.attributes) == (False, 3, {"conformance_x": "old"})
