"""The outbox's boto3 clients: long-lived, bounded by the invocation's deadline, no retries of botocore's.

As for Secrets Manager (participant_data/secrets.py says why): botocore fixes a client's timeouts when the
client is built, so the kept client has those of a full attempt and an attempt with less time left gets a
one-off client whose timeouts end with the deadline. Retries are ours (`run_with_retries`), within the
deadline. boto3 finds a local endpoint through AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import UpstreamTimeout, UpstreamUnavailable

# (service name, connect timeout, read timeout) -> a boto3 client. Typed Any: the project installs type
# stubs for Secrets Manager only, and these clients are used in two small modules.
ClientFactory = Callable[[str, float, float], Any]

# Error codes that say "try again" (throttling), besides any 5xx.
_THROTTLING = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "RequestThrottled",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "KMS.ThrottlingException",
    }
)


class OutboxUnavailable(UpstreamUnavailable):
    """The queue or the table could not be used. `reason` (`sqs:timeout`, `dynamodb:AccessDeniedException`)
    is for logs and metrics. A ServiceError (upstream_unavailable) so that code handling Genesys's
    failures handles it alike; the request side never answers it to a caller (it answers what it would
    have without an outbox)."""

    def __init__(self, reason: str) -> None:
        super().__init__("AWS could not store or read the outbox; try again shortly.")
        self.reason = reason


class DeadlineBoundClient:
    """One AWS service's long-lived client, and the calls made with it within a deadline."""

    def __init__(
        self,
        service: str,
        connect_timeout_cap: float,
        attempt_timeout_cap: float,
        max_attempts: int,
        on_retry: Callable[[str], None],
        client_factory: ClientFactory | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.service = service
        self._connect_cap = min(connect_timeout_cap, attempt_timeout_cap)
        self._attempt_cap = attempt_timeout_cap
        self._max_attempts = max_attempts
        self._on_retry = on_retry
        self._factory = client_factory or boto3_client_factory()
        self._backoff = backoff or Backoff()
        self._client: Any = None

    @property
    def full_call_seconds(self) -> float:
        """Time enough for every attempt of a call and the waits between them (for callers without a
        deadline of their own)."""
        return self._max_attempts * (self._attempt_cap + self._backoff.cap_seconds)

    def call[T](self, deadline: Deadline, request: Callable[[Any], T], *, retry: bool = True) -> T:
        """`request(client)` within the deadline: retried on throttling, 5xx, timeouts and connection
        failures while attempts (and `retry`) allow; raises OutboxUnavailable when it does not succeed."""
        return run_with_retries(
            lambda: self._attempt(deadline, request),
            deadline,
            self._backoff,
            self._on_retry,
            max_attempts=self._max_attempts if retry else 1,
        )

    def forget(self) -> None:
        """Drop the client and its connections (SnapStart restore)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _attempt[T](self, deadline: Deadline, request: Callable[[Any], T]) -> T:
        try:
            return request(self._client_within(deadline))
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "")) or "error"
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            reason = f"{self.service}:{code}"
            if code in _THROTTLING or status >= 500:
                raise RetryableFailure(reason, OutboxUnavailable(reason)) from None
            raise OutboxUnavailable(reason) from None
        except (ConnectTimeoutError, ReadTimeoutError):
            reason = f"{self.service}:timeout"
            raise RetryableFailure(reason, OutboxUnavailable(reason)) from None
        except BotoCoreError:
            reason = f"{self.service}:connection"
            raise RetryableFailure(reason, OutboxUnavailable(reason)) from None

    def _client_within(self, deadline: Deadline) -> Any:
        """The kept client when a full attempt fits, else a one-off ending with the deadline; raises
        OutboxUnavailable when no attempt fits. The kept client is built before the time left is read
        (the first client of a process loads the service model)."""
        full_attempt = (self._connect_cap, self._attempt_cap)
        if self._client is None:
            self._client = self._factory(self.service, *full_attempt)
        try:
            timeouts = deadline.timeouts(*full_attempt)
        except UpstreamTimeout:
            raise OutboxUnavailable(f"{self.service}:no_time_left") from None
        return self._client if timeouts == full_attempt else self._factory(self.service, *timeouts)


def boto3_client_factory() -> ClientFactory:
    """Clients with the given timeouts from one session; botocore's own retries are off."""
    session = boto3.session.Session()

    def make_client(service: str, connect_timeout: float, read_timeout: float) -> Any:
        config = Config(
            connect_timeout=connect_timeout, read_timeout=read_timeout, retries={"total_max_attempts": 1}
        )
        return session.client(service, config=config)  # type: ignore[call-overload]

    return make_client
