"""One run's conversation with the target: pacing, Retry-After, the plan, the prefix rule, the evidence.

Every request of a check goes through :class:`Session`, which

- refuses a request the running check did not plan (:mod:`conformance.plan`);
- refuses to write any attribute key without the reserved prefix ``conformance_``, and remembers every key
  it sent to the user's participant, for the cleanup;
- spaces requests out (:class:`~conformance.targets.Pacing`) and, after a 429, waits what ``Retry-After``
  asks before sending again (docs/genesys-facts.md#rate-limits);
- keeps what each answer showed (:class:`Exchange`): status, the headers that matter, the body's shape,
  the time taken. Never a header it sent, a token or an attribute value from a body.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from conformance.http import HttpClient, RawAnswer
from conformance.plan import ATTRIBUTES_PATH, MAX_READS, PathIds, PlannedRequest
from conformance.targets import Target

KEY_PREFIX = "conformance_"
RETRIES_AFTER_429 = 3
RETRY_AFTER_WHEN_MISSING = 10.0


class PlanViolation(RuntimeError):
    """A check tried a request it did not declare: a bug in the suite, and nothing was sent."""


class ForbiddenKey(RuntimeError):
    """A write without the reserved prefix: a bug in the suite, and nothing was sent."""


class NoToken(RuntimeError):
    """An API request before the token check obtained a token."""


class RateLimitedTooLong(RuntimeError):
    """Genesys asked to wait longer than the run is willing to."""


@dataclass(frozen=True)
class Exchange:
    """One request and what its answer showed; :meth:`evidence` is what reports keep of it."""

    request: str  # the planned request's template: ``PATCH {api}/api/v2/conversations/{conversation}/...``
    answer: RawAnswer = field(repr=False)

    @property
    def status(self) -> int | None:
        return self.answer.status

    @property
    def media_type(self) -> str | None:
        return self.answer.media_type

    @property
    def json_object(self) -> dict[str, Any] | None:
        body = self.answer.json()
        return body if isinstance(body, dict) else None

    @property
    def code(self) -> str | None:
        """An error answer's code: ``code`` of an ErrorBody, ``error`` of an OAuth error."""
        body = self.json_object or {}
        value = body.get("code", body.get("error"))
        return value if isinstance(value, str) else None

    @property
    def message(self) -> str | None:
        body = self.json_object or {}
        value = body.get("message", body.get("error_description", body.get("description")))
        return value if isinstance(value, str) else None

    def evidence(self) -> dict[str, Any]:
        """Status, Content-Type, Retry-After, the body's size and keys, an error's code and message,
        the time taken. A successful answer's values never appear (a token answer holds the token)."""
        body = self.json_object
        failed = self.status is None or self.status >= 400
        return {
            "request": self.request,
            "status": self.status,
            "content_type": self.answer.headers.get("content-type"),
            "retry_after": self.answer.headers.get("retry-after"),
            "body_bytes": len(self.answer.body),
            "body_keys": sorted(body) if body is not None else None,
            "code": self.code if failed else None,
            "message": self.message if failed else None,
            "milliseconds": round(self.answer.seconds * 1000, 1),
            "transport_error": self.answer.error,
        }


@dataclass(frozen=True)
class Poll:
    """Reads of the user's participant until a condition held, or the bound ran out."""

    attributes: dict[str, str] | None  # as last read; None if never read
    reads: int
    seconds: float  # from the first read's start to the last read's answer
    satisfied: bool


class Pacer:
    """At least ``min_interval`` seconds between the starts of two requests."""

    def __init__(
        self, min_interval: float, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self._min_interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


class Session:
    def __init__(
        self,
        target: Target,
        http: HttpClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target = target
        self.ids = PathIds.for_target(target)
        self.run_id = uuid.uuid4().hex[:12]
        self.access_token: str | None = None
        self.written_keys: list[str] = []  # sent to the user's participant, in order, once each
        self.rate_limited: list[Exchange] = []  # every 429 of the run, honoured or provoked
        self.exchanges: list[Exchange] = []  # the running check's
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self._pacer = Pacer(target.pacing.min_interval, clock, sleep)
        self._allowed: Counter[PlannedRequest] = Counter()

    def begin(self, plan: Sequence[PlannedRequest]) -> None:
        """Start a check: only these requests, each at most its ``times``."""
        self._allowed = Counter()
        for planned in plan:
            self._allowed[planned] += planned.times
        self.exchanges = []

    # --- requests --------------------------------------------------------------------------------------

    def token(self, planned: PlannedRequest, client_id: str, client_secret: str) -> Exchange:
        """``POST /oauth/token`` with ``grant_type=client_credentials`` and HTTP Basic client auth
        (docs/genesys-facts.md#client-credentials-token)."""
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        return self._send(planned, headers, b"grant_type=client_credentials", honour_retry_after=True)

    def api(
        self,
        planned: PlannedRequest,
        attributes: Mapping[str, Any] | None = None,
        *,
        honour_retry_after: bool = True,
    ) -> Exchange:
        """A Platform API request with the run's token; ``attributes`` makes it an attributes PATCH body."""
        if self.access_token is None:
            raise NoToken("no access token: the token check did not obtain one")
        headers = {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}
        body = None
        if attributes is not None:
            forbidden = sorted(key for key in attributes if not key.startswith(KEY_PREFIX))
            if forbidden:
                raise ForbiddenKey(f"refusing to write keys without the prefix {KEY_PREFIX!r}: {forbidden}")
            body = json.dumps({"attributes": dict(attributes)}).encode()
            headers["Content-Type"] = "application/json"
        exchange = self._send(planned, headers, body, honour_retry_after=honour_retry_after)
        if attributes is not None and planned.path == ATTRIBUTES_PATH and _may_have_written(exchange):
            self.written_keys.extend(key for key in attributes if key not in self.written_keys)
        return exchange

    def read_participant(
        self, planned: PlannedRequest, until: Callable[[dict[str, str]], bool], max_reads: int = MAX_READS
    ) -> Poll:
        """Read the user's conversation until its participant's attributes satisfy ``until``: at most
        ``max_reads`` reads, ``poll_interval`` apart."""
        started = self._clock()
        attributes: dict[str, str] | None = None
        for read in range(1, max_reads + 1):
            exchange = self.api(planned)
            attributes = participant_attributes(exchange, self.ids.participant)
            if attributes is not None and until(attributes):
                return Poll(attributes, read, self._clock() - started, satisfied=True)
            if read < max_reads:
                self._sleep(self.target.pacing.poll_interval)
        return Poll(attributes, max_reads, self._clock() - started, satisfied=False)

    def _send(
        self,
        planned: PlannedRequest,
        headers: dict[str, str],
        body: bytes | None,
        *,
        honour_retry_after: bool,
    ) -> Exchange:
        if self._allowed[planned] < 1:
            raise PlanViolation(
                f"{planned.template} is not in the running check's plan (or is over its count)"
            )
        self._allowed[planned] -= 1
        url = planned.url(self.target, self.ids)
        for attempt in range(RETRIES_AFTER_429 + 1):
            self._pacer.wait()
            exchange = Exchange(planned.template, self._http.request(planned.method, url, headers, body))
            self.exchanges.append(exchange)
            if exchange.status != 429:
                return exchange
            self.rate_limited.append(exchange)
            if not honour_retry_after or attempt == RETRIES_AFTER_429:
                return exchange
            wait = retry_after_seconds(exchange.answer.headers.get("retry-after"), datetime.now(UTC))
            wait = RETRY_AFTER_WHEN_MISSING if wait is None else wait
            if wait > self.target.pacing.max_retry_after:
                raise RateLimitedTooLong(
                    f"Genesys answered 429 and asks to wait {wait:g} s: stopping the run"
                )
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover  # the loop always returns


def _may_have_written(exchange: Exchange) -> bool:
    """Anything but a 4xx refusal may have written (a 5xx or a lost answer too): the cleanup covers it."""
    return exchange.status is None or not 400 <= exchange.status < 500


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: whole seconds or an HTTP date; None if absent or
    unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def participant_attributes(exchange: Exchange, participant_id: str) -> dict[str, str] | None:
    """The participant's attributes in a ``GET /api/v2/conversations/{id}`` answer (string values only);
    None if the answer is not a 200 that lists the participant."""
    body = exchange.json_object
    if exchange.status != 200 or body is None or not isinstance(body.get("participants"), list):
        return None
    for participant in body["participants"]:
        if isinstance(participant, dict) and participant.get("id") == participant_id:
            attributes = participant.get("attributes") or {}
            if not isinstance(attributes, dict):
                return None
            return {str(key): value for key, value in attributes.items() if isinstance(value, str)}
    return None
