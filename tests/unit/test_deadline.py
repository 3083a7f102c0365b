from __future__ import annotations

from collections.abc import Callable

import pytest

from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import RateLimited, UpstreamTimeout, UpstreamUnavailable
from participant_data.settings import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_budget_is_the_smaller_of_the_setting_and_lambdas_remaining_time_less_the_margin() -> None:
    settings = Settings(genesys_secret_id="s", request_budget_seconds=10, response_margin_seconds=0.5)

    assert 9.4 < Deadline.for_invocation(settings, lambda_remaining_ms=60_000).remaining() <= 9.5
    assert 2.4 < Deadline.for_invocation(settings, lambda_remaining_ms=3_000).remaining() <= 2.5


def test_timeouts_are_bounded_by_what_is_left() -> None:
    clock = FakeClock()
    deadline = Deadline(3.0, clock)

    assert deadline.timeouts(connect_cap=2.0) == (2.0, 3.0)
    clock.now += 2.5
    assert deadline.timeouts(connect_cap=2.0) == (0.5, 0.5)
    clock.now += 0.5
    with pytest.raises(UpstreamTimeout):
        deadline.timeouts(connect_cap=2.0)


def test_an_attempt_gets_the_attempt_cap_or_what_is_left_and_its_connect_no_more_than_the_attempt() -> None:
    clock = FakeClock()
    deadline = Deadline(9.5, clock)

    assert deadline.timeouts(connect_cap=2.0, attempt_cap=3.0) == (2.0, 3.0)
    assert deadline.timeouts(connect_cap=2.0, attempt_cap=1.0) == (1.0, 1.0)
    clock.now += 8.0
    assert deadline.timeouts(connect_cap=2.0, attempt_cap=3.0) == (1.5, 1.5)


def test_a_deadline_reserving_time_ends_that_much_earlier_and_never_before_now() -> None:
    clock = FakeClock()
    deadline = Deadline(9.0, clock)
    clock.now += 1.0

    earlier = deadline.reserving(1.5)

    assert earlier.remaining() == 6.5
    clock.now += 6.5
    assert earlier.remaining() == 0.0
    assert deadline.remaining() == 1.5  # what was reserved is still there for the step after
    assert deadline.reserving(5.0).remaining() == 0.0


def test_a_share_of_a_deadline_is_that_part_of_what_is_left_and_leaves_the_whole_alone() -> None:
    clock = FakeClock()
    deadline = Deadline(9.0, clock)
    clock.now += 1.0

    part = deadline.share(0.5)

    assert part.remaining() == 4.0
    assert part.timeouts(connect_cap=2.0, attempt_cap=3.0) == (2.0, 3.0)
    clock.now += 4.0
    assert part.remaining() == 0.0
    assert deadline.remaining() == 4.0


def failing_then(result: str, failures: list[RetryableFailure]) -> Callable[[], str]:
    def attempt() -> str:
        if failures:
            raise failures.pop(0)
        return result

    return attempt


def test_retries_until_success_while_the_budget_lasts() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("503", UpstreamUnavailable("down")) for _ in range(3)]
    retried: list[str] = []

    result = run_with_retries(
        failing_then("ok", failures),
        Deadline(10.0, clock),
        Backoff(base_seconds=0.1, cap_seconds=1.0),
        retried.append,
        clock.sleep,
    )

    assert result == "ok"
    assert retried == ["503", "503", "503"]
    assert all(0 <= wait <= 1.0 for wait in clock.sleeps)


def test_gives_up_with_the_failures_error_when_the_next_wait_does_not_fit() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("429", RateLimited("slow down", retry_after=30), retry_after=30.0)]

    with pytest.raises(RateLimited) as raised:
        run_with_retries(
            failing_then("ok", failures),
            Deadline(10.0, clock),
            Backoff(),
            sleep=clock.sleep,
        )

    assert raised.value.retry_after == 30
    assert clock.sleeps == []  # answered at once, no sleep through the Retry-After


def test_a_retry_after_that_fits_is_honoured_exactly() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("429", RateLimited("slow down"), retry_after=2.0)]

    assert (
        run_with_retries(failing_then("ok", failures), Deadline(10.0, clock), Backoff(), sleep=clock.sleep)
        == "ok"
    )
    assert clock.sleeps == [2.0]


def test_backoff_is_jittered_and_capped() -> None:
    backoff = Backoff(base_seconds=0.1, cap_seconds=0.5)
    delays = [backoff.delay(attempt) for attempt in range(10) for _ in range(20)]

    assert all(0 <= delay <= 0.5 for delay in delays)
    assert len(set(delays)) > 100


def test_attempts_stop_at_max_attempts_with_budget_left() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("timeout", UpstreamTimeout("slow")) for _ in range(10)]
    retried: list[str] = []

    with pytest.raises(UpstreamTimeout):
        run_with_retries(
            failing_then("ok", failures),
            Deadline(10.0, clock),
            Backoff(),
            retried.append,
            clock.sleep,
            max_attempts=3,
        )

    assert retried == ["timeout", "timeout"]  # three attempts, two retries
    assert len(failures) == 7


def test_the_last_allowed_attempt_may_still_succeed() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("503", UpstreamUnavailable("down")) for _ in range(2)]

    assert (
        run_with_retries(
            failing_then("ok", failures), Deadline(10.0, clock), Backoff(), sleep=clock.sleep, max_attempts=3
        )
        == "ok"
    )


def test_one_attempt_means_no_retry() -> None:
    clock = FakeClock()
    failures = [RetryableFailure("503", UpstreamUnavailable("down"))]

    with pytest.raises(UpstreamUnavailable):
        run_with_retries(
            failing_then("ok", failures), Deadline(10.0, clock), Backoff(), sleep=clock.sleep, max_attempts=1
        )
    assert clock.sleeps == []
