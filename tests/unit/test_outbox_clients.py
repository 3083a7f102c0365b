"""The outbox's boto3 calls within a deadline: what is retried, what is not, and the kept client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from participant_data.deadline import Backoff, Deadline
from participant_data.outbox.aws import DeadlineBoundClient, OutboxUnavailable
from participant_data.outbox.marks import PendingMarks


def client_error(code: str, status: int) -> ClientError:
    answer: Any = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(answer, "Op")


class Factory:
    """Builds a stand-in client per call to the factory, recording the timeouts it was given."""

    def __init__(self) -> None:
        self.built: list[tuple[str, float, float]] = []

    def __call__(self, service: str, connect: float, read: float) -> Any:
        self.built.append((service, connect, read))
        return object()


def bound_client(factory: Factory | None = None, attempts: int = 3) -> tuple[DeadlineBoundClient, list[str]]:
    retries: list[str] = []
    client = DeadlineBoundClient(
        "sqs", 2.0, 1.0, attempts, retries.append, factory or Factory(), Backoff(0.001, 0.001)
    )
    return client, retries


def failing(*errors: Exception) -> tuple[list[int], Any]:
    calls: list[int] = []

    def request(client: Any) -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return calls, request


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException", 400),
        client_error("InternalError", 500),
        ReadTimeoutError(endpoint_url="http://127.0.0.1"),
        EndpointConnectionError(endpoint_url="http://127.0.0.1"),
    ],
)
def test_throttling_5xx_timeouts_and_connection_failures_are_retried(error: Exception) -> None:
    client, retries = bound_client()
    calls, request = failing(error)

    assert client.call(Deadline(5), request) == "ok"
    assert len(calls) == 2
    assert len(retries) == 1
    assert retries[0].startswith("sqs:")


def test_a_refusal_is_not_retried_and_names_its_code() -> None:
    client, retries = bound_client()
    calls, request = failing(client_error("AccessDenied", 403))

    with pytest.raises(OutboxUnavailable) as raised:
        client.call(Deadline(5), request)

    assert raised.value.reason == "sqs:AccessDenied"
    assert len(calls) == 1
    assert retries == []


def test_attempts_stop_at_the_limit_with_an_outbox_failure() -> None:
    client, _ = bound_client(attempts=2)
    calls, request = failing(*[client_error("InternalError", 500)] * 5)

    with pytest.raises(OutboxUnavailable) as raised:
        client.call(Deadline(5), request)

    assert raised.value.reason == "sqs:InternalError"
    assert len(calls) == 2


def test_a_call_without_retry_makes_one_attempt() -> None:
    client, _ = bound_client()
    calls, request = failing(client_error("InternalError", 500))

    with pytest.raises(OutboxUnavailable):
        client.call(Deadline(5), request, retry=False)

    assert len(calls) == 1


def test_no_time_left_is_an_outbox_failure_without_a_call() -> None:
    client, _ = bound_client()
    calls, request = failing()

    with pytest.raises(OutboxUnavailable) as raised:
        client.call(Deadline(0), request)

    assert raised.value.reason == "sqs:no_time_left"
    assert calls == []


def test_one_kept_client_serves_full_attempts_and_a_short_tail_gets_its_own() -> None:
    factory = Factory()
    client, _ = bound_client(factory)

    client.call(Deadline(5), lambda sqs: sqs)
    client.call(Deadline(5), lambda sqs: sqs)
    assert factory.built == [("sqs", 1.0, 1.0)]

    client.call(Deadline(0.5), lambda sqs: sqs)
    assert len(factory.built) == 2
    _, connect, read = factory.built[1]
    assert read <= 0.5
    assert connect <= 0.5


class GetItemOnly:
    def __init__(self, item: dict[str, Any] | None) -> None:
        self.item = item

    def get_item(self, **request: Any) -> dict[str, Any]:
        assert request["ConsistentRead"] is True
        return {} if self.item is None else {"Item": self.item}


@pytest.mark.parametrize(
    ("item", "pending"),
    [
        (None, False),
        ({"expiresAt": {"N": "2000"}}, True),
        ({"expiresAt": {"N": "999"}}, False),  # past its expiry: DynamoDB deletes it only eventually
        ({"pk": {"S": "g"}}, True),  # no readable expiry: keep the order
    ],
)
def test_a_mark_counts_until_its_expiry(item: dict[str, Any] | None, pending: bool) -> None:
    stand_in = GetItemOnly(item)
    client = DeadlineBoundClient("dynamodb", 1.0, 1.0, 1, lambda reason: None, lambda *_: stand_in)
    marks = PendingMarks("table", client, max_age_seconds=3600, clock=lambda: 1000.0)

    assert marks.is_pending("g", Deadline(5)) is pending
