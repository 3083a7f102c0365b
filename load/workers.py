"""One Lambda container under load: a fresh interpreter that runs the real handler `calls` times."""

from __future__ import annotations

import os
import time

from tests.events import api_event, response_body

from localdev.lambda_context import LocalLambdaContext


def run_container(
    environment: dict[str, str], worker: int, calls: int
) -> list[tuple[str, int, str, float, float]]:
    """(key, status, code, started monotonic, seconds) per invocation; each sets a key no other sets."""
    os.environ.update(environment)
    import app  # imported after the environment is set, as Lambda does

    results = []
    for call in range(calls):
        key = f"w{worker}_c{call}"
        request = api_event("rest", body={"attributes": {key: f"{worker}.{call}"}})
        started = time.monotonic()
        response = app.lambda_handler(request, LocalLambdaContext(timeout_seconds=27))
        seconds = time.monotonic() - started
        code = "ok" if response["statusCode"] == 200 else str(response_body(response).get("code"))
        if response["statusCode"] == 429:
            headers = response.get("multiValueHeaders") or {}
            assert headers.get("Retry-After"), "a 429 without Retry-After"
        results.append((key, response["statusCode"], code, started, seconds))
    return results
