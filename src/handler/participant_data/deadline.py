"""The time budget of one invocation, and retrying within it.

A caller is waiting on the line: every outbound call gets connect and read timeouts bounded by what is
left, and a retry happens only when its wait and a useful attempt still fit.

One attempt is also bounded on its own (ATTEMPT_TIMEOUT_SECONDS, 3 s by default): a Genesys or Secrets
Manager round trip is expected to take tens of milliseconds, with a p99 well under a second (the
GenesysLatency metric shows an org's real figures), so an attempt still silent after 3 s is far more
likely stuck (a lost packet, a half-dead connection, an overloaded node) than about to answer, and a new
attempt on a new connection is the better bet. Three such attempts fit in the default 10 s budget.
MAX_ATTEMPTS (3, as in the AWS SDKs' standard retry mode: AWS SDKs and Tools Reference Guide, "Retry
behavior") caps the attempts of one call, so a dependency that fails fast is not hammered for the whole
budget either.
"""

from __future__ import annotations

import math
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

    def timeouts(self, connect_cap: float, attempt_cap: float = math.inf) -> tuple[float, float]:
        """(connect, read) timeouts for one attempt: the attempt gets `attempt_cap` or what is left if less,
        its connect `connect_cap` or the attempt's time if less. Raises UpstreamTimeout when no attempt
        can fit."""
        left = self.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            raise UpstreamTimeout("The request's time budget ran out before the call could be made.")
        attempt = min(attempt_cap, left)
        return min(connect_cap, attempt), attempt

    def reserving(self, seconds: float) -> Deadline:
        """A deadline `seconds` earlier, for the steps that must leave that much to a step after them."""
        return Deadline(max(0.0, self.remaining() - seconds), self._clock)

    def share(self, fraction: float) -> Deadline:
        """A deadline for a step that may be skipped: it gets `fraction` of what is left, the rest stays
        for the steps that may not."""
        return Deadline(self.remaining() * fraction, self._clock)


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
    max_attempts: int | None = None,
) -> T:
    """Run `attempt` until it succeeds, raises a non-retryable error, has been made `max_attempts` times
    (None: no limit but the deadline), or the next try would not fit."""
    retries = 0
    while True:
        try:
            return attempt()
        except RetryableFailure as failure:
            if max_attempts is not None and retries + 1 >= max_attempts:
                raise failure.give_up from None
            wait = failure.retry_after if failure.retry_after is not None else backoff.delay(retries)
            if wait + MIN_ATTEMPT_SECONDS >= deadline.remaining():
                raise failure.give_up from None
            on_retry(failure.reason)
            sleep(wait)
            retries += 1
