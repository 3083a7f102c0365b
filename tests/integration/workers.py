"""Run in child processes by the concurrency test: each is a separate warm Lambda container."""

from __future__ import annotations

import os

from localdev.lambda_context import LocalLambdaContext
from tests.events import api_event


def set_keys(environment: dict[str, str], worker: int, calls: int) -> list[int]:
    """One container: `calls` invocations, each setting a key no other worker sets."""
    os.environ.update(environment)
    import app  # imported after the environment is set, as Lambda does

    statuses = []
    for call in range(calls):
        request = api_event("rest", body={"attributes": {f"worker{worker}_call{call}": f"{worker}.{call}"}})
        statuses.append(app.lambda_handler(request, LocalLambdaContext())["statusCode"])
    return statuses
