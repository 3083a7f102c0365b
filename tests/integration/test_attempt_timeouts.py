"""Per-attempt timeouts, over real HTTP: an attempt that hangs is given up after ATTEMPT_TIMEOUT_SECONDS
and retried on a new connection while the budget lasts, at most MAX_ATTEMPTS times.

Against the emulator through the real handler, and, for the connection itself, against a loopback server
that records which connection each request came on.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from genesys_emulator import Fault
from localdev.moto_server import LOOPBACK
from participant_data.deadline import Backoff, Deadline
from participant_data.genesys.sdk import HttpRequestOptions
from participant_data.genesys.transport import DeadlineHttpClient
from participant_data.observability import RETRY_REASON_DIMENSION, MetricName
from tests.events import api_event, response_body
from tests.integration.conftest import LocalStack
from tests.integration.test_rate_limit_metrics import emf_documents, metric_values

pytestmark = pytest.mark.integration

ATTEMPT_SECONDS = 1.0
HANG_SECONDS = (
    4.0  # longer than an attempt, shorter than the budget: the old single attempt would wait it out
)
SENT = {
    "ivr_choice": "billing",
    "customer_tier": "gold",
    "priority_level": "5",
}  # events/api-gateway-rest.json
PATCH = "/api/v2/conversations"


def wait_for(condition: object, timeout: float = 10.0) -> None:
    assert callable(condition)
    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, "timed out waiting"
        time.sleep(0.05)


def test_a_hung_patch_is_retried_after_one_attempt_timeout_and_the_write_lands(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.configure(ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_SECONDS))
    stack.emulator.inject_fault(Fault(hang_seconds=HANG_SECONDS, count=1, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 200
    # One attempt timeout, then a round trip: the caller did not wait for the hung answer.
    assert ATTEMPT_SECONDS <= stack.last_duration < HANG_SECONDS
    retried = metric_values(
        emf_documents(capsys), MetricName.GENESYS_RETRIES, **{RETRY_REASON_DIMENSION: "genesys:timeout"}
    )
    assert retried == [1.0]
    # The hung PATCH reaches Genesys too, late: a per-key merge of the same values, so the data is the same.
    wait_for(lambda: stack.patches() == 2)
    patches = [(r.fault, r.status) for r in stack.emulator.requests if r.method == "PATCH"]
    assert patches == [(None, 202), ("hang", 202)]  # the retry applied first, the hung attempt after it
    assert stack.attributes() == {"existing": "kept", **SENT}


def test_the_one_window_a_late_duplicate_overwrites_a_later_writer_of_the_same_key(stack: LocalStack) -> None:
    """The limitation docs/reliability.md ("Retried writes") describes, measured: our timed-out attempt is
    applied after its retry and after another write of the same key, so our older value wins that key.
    Keys the other writer alone set are kept (a per-key merge)."""
    stack.configure(ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_SECONDS))
    stack.emulator.inject_fault(Fault(hang_seconds=HANG_SECONDS, count=1, method="PATCH"))
    assert stack.invoke(api_event("rest"))["statusCode"] == 200  # ivr_choice=billing, retried

    other_writer = api_event("rest", body={"attributes": {"ivr_choice": "sales", "agent_note": "x"}})
    assert stack.invoke(other_writer)["statusCode"] == 200
    assert stack.attributes()["ivr_choice"] == "sales"
    wait_for(lambda: stack.patches() == 3)  # the hung first attempt lands last

    assert stack.attributes() == {"existing": "kept", **SENT, "agent_note": "x"}  # ivr_choice: billing


def test_when_every_attempt_hangs_the_answer_is_a_504_after_max_attempts_within_the_budget(
    stack: LocalStack,
) -> None:
    stack.configure(ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_SECONDS), MAX_ATTEMPTS="3")
    stack.emulator.inject_fault(Fault(hang_seconds=30, count=10, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 504
    assert response_body(response)["code"] == "upstream_timeout"
    (fault,) = stack.emulator.faults
    assert 10 - fault.count == 3  # PATCH attempts the emulator received
    # Three attempts' timeouts and their backoffs, not the whole budget (10 s less the 0.5 s margin).
    assert 3 * ATTEMPT_SECONDS <= stack.last_duration < 9.5
    assert stack.attributes() == {"existing": "kept"}


def test_attempts_also_stop_with_the_budget(stack: LocalStack) -> None:
    stack.configure(
        ATTEMPT_TIMEOUT_SECONDS=str(ATTEMPT_SECONDS), MAX_ATTEMPTS="10", REQUEST_BUDGET_SECONDS="3"
    )
    stack.emulator.inject_fault(Fault(hang_seconds=30, count=10, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 504
    assert stack.last_duration < 3
    (fault,) = stack.emulator.faults
    assert 10 - fault.count <= 3  # 2.5 s of budget: two full attempts and what is left


class HangFirstRequest:
    """A loopback HTTP server that never answers the first request it reads and answers every later one
    with 200 on a kept-alive connection; it records each connection and whether the client closed it."""

    def __init__(self) -> None:
        self._listener = socket.create_server((LOOPBACK, 0))
        self.url = f"http://{LOOPBACK}:{self._listener.getsockname()[1]}"
        self.requests_by_connection: list[int] = []
        self.closed_by_client: list[threading.Event] = []
        self._requests = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                index = len(self.requests_by_connection)
                self.requests_by_connection.append(0)
                self.closed_by_client.append(threading.Event())
            threading.Thread(target=self._serve, args=(connection, index), daemon=True).start()

    def _serve(self, connection: socket.socket, index: int) -> None:
        with connection:
            try:
                while connection.recv(65536):
                    with self._lock:
                        self.requests_by_connection[index] += 1
                        self._requests += 1
                        first = self._requests == 1
                    if not first:
                        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            except OSError:
                return
            self.closed_by_client[index].set()  # recv() returned b"": the client closed it

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def hang_first() -> Iterator[HangFirstRequest]:
    server = HangFirstRequest()
    yield server
    server.close()


def test_a_timed_out_connection_is_closed_and_the_retry_opens_a_new_one(hang_first: HangFirstRequest) -> None:
    retries: list[str] = []
    http = DeadlineHttpClient(
        1.0,
        Backoff(base_seconds=0.0, cap_seconds=0.0),
        on_retry=retries.append,
        on_response=lambda seconds: None,
        attempt_timeout_cap=0.5,
        max_attempts=3,
    )

    def get() -> int:
        with http.within(Deadline(5.0)):
            status: int = http.request(HttpRequestOptions(url=f"{hang_first.url}/probe", method="GET")).status
            return status

    assert get() == 200
    assert retries == ["genesys:timeout"]
    assert hang_first.requests_by_connection == [1, 1]  # the retry came on a second connection
    assert hang_first.closed_by_client[0].wait(timeout=5)  # the stuck one was closed, not pooled

    assert get() == 200
    assert hang_first.requests_by_connection == [1, 2]  # the new connection is kept for the next request
    assert not hang_first.closed_by_client[1].is_set()
