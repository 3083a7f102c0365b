"""Several containers writing to one participant at once lose nothing: each sends only its own keys."""

from __future__ import annotations

import multiprocessing
import os

from tests.integration.conftest import LocalStack
from tests.integration.workers import set_keys

WORKERS = 8
CALLS = 10


def test_concurrent_processes_setting_distinct_keys_lose_none(stack: LocalStack) -> None:
    environment = {
        name: os.environ[name]
        for name in (
            "GENESYS_SECRET_ID",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER",
            "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "POWERTOOLS_METRICS_NAMESPACE",
        )
    }
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, like separate Lambda containers

    with spawn.Pool(WORKERS) as pool:
        results = pool.starmap(set_keys, [(environment, worker, CALLS) for worker in range(WORKERS)])

    assert all(status == 200 for statuses in results for status in statuses)
    expected = {f"worker{w}_call{c}": f"{w}.{c}" for w in range(WORKERS) for c in range(CALLS)}
    assert stack.attributes() == {"existing": "kept", **expected}
    assert stack.token_requests() == WORKERS  # one token per container
