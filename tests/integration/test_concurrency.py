"""Several containers writing to one participant at once lose nothing: each sends only its own keys."""

from __future__ import annotations

import multiprocessing

from tests.integration.conftest import LocalStack
from tests.integration.workers import set_keys

WORKERS = 8
CALLS = 10


def test_concurrent_processes_setting_distinct_keys_lose_none(stack: LocalStack) -> None:
    environment = stack.service_environment()
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, like separate Lambda containers

    with spawn.Pool(WORKERS) as pool:
        results = pool.starmap(set_keys, [(environment, worker, CALLS) for worker in range(WORKERS)])

    assert all(status == 200 for statuses in results for status in statuses)
    expected = {f"worker{w}_call{c}": f"{w}.{c}" for w in range(WORKERS) for c in range(CALLS)}
    assert stack.attributes() == {"existing": "kept", **expected}
    assert stack.token_requests() == WORKERS  # one token per container
