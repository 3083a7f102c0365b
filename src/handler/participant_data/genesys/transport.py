"""The HTTP client the Genesys SDK sends through: every request within the invocation's deadline.

The SDK's own client has no request timeout and its urllib3 Retry sleeps the full Retry-After of
413/429/503 answers (docs/genesys-facts.md#sdk-no-request-timeout, docs/genesys-facts.md#sdk-retry-sleeps).
The supported way in is `ApiClient.set_http_client` with an `AbstractHttpClient`; this one bounds each
attempt by the per-attempt timeout and the remaining budget, makes at most MAX_ATTEMPTS attempts, and
retries only what is safe to retry:

- 5xx, refused or reset connections and timeouts, with jittered backoff while the budget lasts;
- a 429 after its Retry-After, only when that wait fits; otherwise it answers at once with 429;
- never another 4xx: those go back to the SDK as its ApiException, for the gateway to translate.

An attempt that times out is retried on a new connection: urllib3's `urlopen` closes a connection that
raised and hands the pool an empty slot instead, so the stuck socket is never reused (pinned by
tests/integration/test_attempt_timeouts.py).

Retrying is safe because of what the calls are. The token POST only issues another token and the GETs
and HEAD read. The attributes PATCH is relied on being a per-key merge
(docs/genesys-facts.md#merge-vs-replace): Genesys's reference for
`PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes` ("Update the
attributes on a conversation participant") takes only the keys to set, and the data action Genesys
publishes for it sends one key per call, which only works if the other keys are kept. A timed-out attempt
may still have been applied, so its retry writes the same keys with the same values again: the result is
the same as one write. The one window this opens, a duplicate landing after another writer changed the
same key, is described in docs/reliability.md ("Retried writes").
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import RateLimited, UpstreamTimeout, UpstreamUnavailable
from participant_data.genesys.sdk import AbstractHttpClient, ApiException, HttpRequestOptions, RESTResponse
from participant_data.observability import record_rate_limited

_current_deadline: ContextVar[Deadline] = ContextVar("genesys_call_deadline")

# One pool per host: Lambda runs one invocation at a time, a few spare connections cover the health check.
_POOL_SIZE = 4


class DeadlineHttpClient(AbstractHttpClient):  # type: ignore[misc]  # the SDK ships no type hints
    def __init__(
        self,
        connect_timeout_cap: float,
        backoff: Backoff,
        on_retry: Callable[[str], None],
        on_response: Callable[[float], None],
        sleep: Callable[[float], None] = time.sleep,
        on_rate_limited: Callable[[], None] = record_rate_limited,
        *,
        attempt_timeout_cap: float = math.inf,
        max_attempts: int | None = None,
    ) -> None:
        """Without `attempt_timeout_cap` and `max_attempts` (the container passes both from the settings),
        one attempt may take all that is left of the budget and attempts stop only with the budget."""
        super().__init__()
        self._connect_cap = connect_timeout_cap
        self._attempt_cap = attempt_timeout_cap
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._on_retry = on_retry
        self._on_response = on_response
        self._sleep = sleep
        self._on_rate_limited = on_rate_limited
        self._pool = self._new_pool()

    @staticmethod
    def _new_pool() -> urllib3.PoolManager:
        return urllib3.PoolManager(num_pools=_POOL_SIZE, maxsize=_POOL_SIZE, retries=False)

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """Requests made inside this block (by the SDK, on this thread) are bounded by `deadline`."""
        token = _current_deadline.set(deadline)
        try:
            yield
        finally:
            _current_deadline.reset(token)

    def drop_connections(self) -> None:
        """Close pooled connections (after a SnapStart restore they point at sockets that no longer exist).

        urllib3 2.x's `PoolManager.clear()` only forgets its pools, so each is closed first.
        """
        for key in self._pool.pools.keys():  # noqa: SIM118 - RecentlyUsedContainer cannot be iterated
            pool = self._pool.pools.get(key)
            if pool is not None:
                pool.close()
        self._pool.clear()

    def request(self, http_request_options: HttpRequestOptions) -> RESTResponse:
        """The SDK's entry point: one logical request, retried within the deadline."""
        deadline = _current_deadline.get(None)
        if deadline is None:
            raise RuntimeError("Genesys requests must be made inside DeadlineHttpClient.within(deadline)")
        return run_with_retries(
            lambda: self._attempt(http_request_options, deadline),
            deadline,
            self._backoff,
            self._on_retry,
            self._sleep,
            self._max_attempts,
        )

    def _attempt(self, options: HttpRequestOptions, deadline: Deadline) -> RESTResponse:
        connect, read = deadline.timeouts(self._connect_cap, self._attempt_cap)
        started = time.monotonic()
        try:
            raw = self._pool.request(
                options.method,
                _url_with_query(options),
                # `total`: the connect and the wait for the answer share the attempt's time.
                timeout=urllib3.Timeout(total=read, connect=connect, read=read),
                retries=False,
                redirect=False,
                **_encoded_body(options),
            )
        except NewConnectionError:  # refused or unreachable; urllib3 makes it a ConnectTimeoutError subclass
            raise RetryableFailure(
                "genesys:connection",
                UpstreamUnavailable("Genesys Cloud cannot be reached; try again shortly."),
            ) from None
        except TimeoutError:
            raise RetryableFailure(
                "genesys:timeout", UpstreamTimeout("Genesys Cloud did not answer within the time budget.")
            ) from None
        except HTTPError:
            raise RetryableFailure(
                "genesys:connection",
                UpstreamUnavailable("Genesys Cloud cannot be reached; try again shortly."),
            ) from None
        finally:
            self._on_response(time.monotonic() - started)
        response = RESTResponse(raw)
        response.data = raw.data.decode("utf-8", errors="replace")
        if response.status == 429:  # counted whether or not its Retry-After lets us retry
            self._on_rate_limited()
        _raise_for_status(response)
        return response


def _raise_for_status(response: RESTResponse) -> None:
    status: int = response.status
    if 200 <= status < 300:
        return
    if status == 429:
        retry_after = _retry_after_seconds(response)
        raise RetryableFailure(
            "genesys:429",
            RateLimited(
                "Genesys Cloud is rate limiting this client; try again later.",
                retry_after=None if retry_after is None else math.ceil(retry_after),
            ),
            retry_after=retry_after,
        )
    if status >= 500:
        raise RetryableFailure(
            f"genesys:{status}",
            UpstreamUnavailable(f"Genesys Cloud kept failing (HTTP {status}); try again shortly."),
        )
    raise ApiException(http_resp=response)


def _retry_after_seconds(response: RESTResponse) -> float | None:
    """Retry-After in seconds (Genesys sends whole seconds: docs/genesys-facts.md#rate-limits)."""
    value = response.getheader("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _url_with_query(options: HttpRequestOptions) -> str:
    url: str = options.url
    if options.query_params:
        url += "?" + urlencode(options.query_params)
    return url


def _encoded_body(options: HttpRequestOptions) -> dict[str, Any]:
    """The request body as the SDK's own REST client would encode it (JSON, or a form for the token)."""
    headers = {"Content-Type": "application/json", **(options.headers or {})}
    if headers["Content-Type"] == "application/x-www-form-urlencoded":
        return {"headers": headers, "body": urlencode(options.post_params or {})}
    if options.body is None:
        return {"headers": headers}
    return {"headers": headers, "body": json.dumps(options.body)}
