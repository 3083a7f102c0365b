"""Long-lived boto3 clients whose calls stay within the invocation's deadline (Secrets Manager, SQS,
DynamoDB).

botocore fixes a client's connect and read timeouts when the client is built and takes none per call (its
`Config` is given to `client()`; AWS SDK for Python docs, "Configuration"). So the kept client has the
timeouts of a full attempt (CONNECT_TIMEOUT_SECONDS, ATTEMPT_TIMEOUT_SECONDS), and an attempt that starts
with less than that left (the tail of a budget, a short Lambda remaining time) gets a client of its own
whose timeouts end with the deadline, used once. botocore's own retries are off: ours know the budget.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

import boto3
from botocore.config import Config

from participant_data.deadline import Deadline

# (service name, connect timeout, read timeout) -> a boto3 client of that service.
ServiceClientFactory = Callable[[str, float, float], Any]


class _Closable(Protocol):
    def close(self) -> None: ...


class KeptClient[C: _Closable]:
    """One service's client, built on first use and kept until `forget()`."""

    def __init__(
        self, factory: Callable[[float, float], C], connect_timeout_cap: float, attempt_timeout_cap: float
    ) -> None:
        self._factory = factory
        self._full_attempt = (min(connect_timeout_cap, attempt_timeout_cap), attempt_timeout_cap)
        self._client: C | None = None

    def within(self, deadline: Deadline) -> C:
        """The kept client when a full attempt fits in what is left, else a one-off ending with the
        deadline; raises UpstreamTimeout when no attempt fits.

        The kept client is built before the time left is read: building the first client of a process
        loads the service model (~0.2 s), which the attempt's timeouts would not account for. A one-off
        reuses the loaded model and takes milliseconds."""
        if self._client is None:
            self._client = self._factory(*self._full_attempt)
        timeouts = deadline.timeouts(*self._full_attempt)
        return self._client if timeouts == self._full_attempt else self._factory(*timeouts)

    def forget(self) -> None:
        """Close the kept client and its connections (SnapStart restore)."""
        if self._client is not None:
            self._client.close()
            self._client = None


def boto3_client_factory() -> ServiceClientFactory:
    """Clients with the given timeouts from one session; botocore's own retries are off."""
    session = boto3.session.Session()

    def make_client(service: str, connect_timeout: float, read_timeout: float) -> Any:
        config = Config(
            connect_timeout=connect_timeout, read_timeout=read_timeout, retries={"total_max_attempts": 1}
        )
        return session.client(service, config=config)  # type: ignore[call-overload]

    return make_client


def service_factory(
    service: str, factory: ServiceClientFactory | None = None
) -> Callable[[float, float], Any]:
    """`factory` (default: boto3's) bound to one service."""
    return partial(factory or boto3_client_factory(), service)
