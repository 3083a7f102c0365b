"""The time budget of one invocation, and retrying within it.

A caller is waiting on the line: every outbound call gets connect and read timeouts bounded by what is
left, and a retry happens only when its wait and a useful attempt still fit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from participant_data.errors import ServiceError, UpstreamTimeout
from participant_data.settings import Settings

# An attempt with less time than this left cannot finish a round trip: give up instead.
MIN_ATTEMPT_SECONDS = 0.05


class Deadline:
    """A point in (monotonic) time by which the invocation must have its answer ready."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._expires_at = clock() + seconds

    @classmethod
    def for_invocation(cls, settings: Settings, lambda_remaining_ms: int | None) -> Deadline:
        """The smaller of the configured budget and Lambda's remaining time, less the margin to answer."""
        budget = settings.request_budget_seconds
        if lambda_remaining_ms is not None:
            budget = min(budget, lambda_remaining_ms / 1000)
        return cls(budget - settings.response_margin_seconds)

    def remaining(self) -> float:
        return max(0.0, self._expires_at - self._clock())

    def timeouts(self, connect_cap: float) -> tuple[float, float]:
        """(connect, read) timeouts for one attempt; raises UpstreamTimeout when no attempt can fit."""
        left = self.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            raise UpstreamTimeout("The request's time budget ran out before the call could be made.")
        return min(connect_cap, left), left


class RetryableFailure(Exception):
    """An attempt failed in a way another attempt may fix.

    `give_up` is what the caller sees if no further attempt fits; `retry_after` is a wait the server asked
    for (a 429's Retry-After), used instead of the backoff.
    """

    def __init__(self, reason: str, give_up: ServiceError, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.give_up = give_up
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Backoff:
    """Full-jitter exponential backoff: spreads the retries of many containers hitting one failure."""

    base_seconds: float = 0.1
    cap_seconds: float = 1.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))  # noqa: S311 - jitter, not security  # nosec B311


def run_with_retries[T](
    attempt: Callable[[], T],
    deadline: Deadline,
    backoff: Backoff,
    on_retry: Callable[[str], None] = lambda reason: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `attempt` until it succeeds, raises a non-retryable error, or the next try would not fit."""
    retries = 0
    while True:
        try:
            return attempt()
        except RetryableFailure as failure:
            wait = failure.retry_after if failure.retry_after is not None else backoff.delay(retries)
            if wait + MIN_ATTEMPT_SECONDS >= deadline.remaining():
                raise failure.give_up from None
            on_retry(failure.reason)
            sleep(wait)
            retries += 1
