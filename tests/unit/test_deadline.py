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
