"""The outbox's boto3 clients: long-lived, bounded by the invocation's deadline, no retries of botocore's.

The clients are `aws_clients.KeptClient`s, as for Secrets Manager. Retries are ours (`run_with_retries`),
within the deadline. boto3 finds a local endpoint through AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from participant_data.aws_clients import KeptClient, ServiceClientFactory, service_factory
from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import UpstreamTimeout, UpstreamUnavailable

# (service name, connect timeout, read timeout) -> a boto3 client. Typed Any: the project installs type
# stubs for Secrets Manager only, and these clients are used in a few small modules.
ClientFactory = ServiceClientFactory

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
        self._attempt_cap = attempt_timeout_cap
        self._max_attempts = max_attempts
        self._on_retry = on_retry
        self._backoff = backoff or Backoff()
        self._client: KeptClient[Any] = KeptClient(
            service_factory(service, client_factory), connect_timeout_cap, attempt_timeout_cap
        )

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
        self._client.forget()

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
        """The client for one attempt; raises OutboxUnavailable when no attempt fits."""
        try:
            return self._client.within(deadline)
        except UpstreamTimeout:
            raise OutboxUnavailable(f"{self.service}:no_time_left") from None
