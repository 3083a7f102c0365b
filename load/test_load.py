"""Load: 50 concurrent function processes (Genesys's default data-action concurrency per org) x 100
invocations each, against the emulator enforcing Genesys's 300 requests per token per minute.

Each process is a separate warm container with its own token. Asserted: every invocation answered within
the budget; every key answered 200 is on the participant and no key answered otherwise is (nothing lost,
nothing half-written); every 429 is surfaced as `genesys_rate_limited` with a Retry-After. A second run
with a tighter limit (50 per token per minute) makes 429s happen, to prove they are surfaced as such.
Results go to load.json for docs/reliability.md.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import Counter
from typing import Any

import pytest
from tests.faults.conftest import results_dir
from tests.integration.conftest import LocalStack

from load.workers import run_container

BUDGET_SECONDS = 10.0
SCENARIOS = {
    "genesys-limit": {"processes": 50, "calls": 100, "rate_limit": 300},
    "tight-limit": {"processes": 10, "calls": 100, "rate_limit": 50},
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_concurrent_containers_under_the_rate_limit(
    stack: LocalStack, pytestconfig: pytest.Config, scenario: str
) -> None:
    processes, calls, rate_limit = (SCENARIOS[scenario][k] for k in ("processes", "calls", "rate_limit"))
    stack.emulator.set_rate_limit(rate_limit)
    environment = stack.service_environment()
    environment["REQUEST_BUDGET_SECONDS"] = str(BUDGET_SECONDS)
    environment["LOG_LEVEL"] = "WARNING"
    spawn = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with spawn.Pool(processes) as pool:
        per_worker = pool.starmap(run_container, [(environment, w, calls) for w in range(processes)])
    wall = time.monotonic() - started
    rows = [row for worker in per_worker for row in worker]

    statuses = Counter(status for _, status, _, _, _ in rows)
    codes = Counter(code for _, status, code, _, _ in rows if status != 200)
    durations = sorted(seconds for *_, seconds in rows)
    on_participant = stack.attributes()
    answered_ok = {key for key, status, *_ in rows if status == 200}
    refused = {key for key, status, *_ in rows if status != 200}
    lost = sorted(answered_ok - on_participant.keys())
    written_anyway = sorted(refused & on_participant.keys())
    # The peak number of invocations in flight at once (from each invocation's start and duration).
    edges = sorted([(s, 1) for *_, s, d in rows] + [(s + d, -1) for *_, s, d in rows])
    peak = running = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    emulator_429 = sum(1 for r in stack.emulator.requests if r.method == "PATCH" and r.status == 429)

    result: dict[str, Any] = {
        "scenario": scenario,
        "processes": processes,
        "invocations_per_process": calls,
        "rate_limit_per_token_per_minute": rate_limit,
        "invocations": len(rows),
        "wall_seconds": round(wall, 1),
        "peak_in_flight": peak,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "error_codes": dict(codes),
        "genesys_429_answers": emulator_429,
        "token_requests": stack.token_requests(),
        "keys_answered_200": len(answered_ok),
        "keys_lost": len(lost),
        "keys_written_but_refused": len(written_anyway),
        "p50_seconds": round(durations[len(durations) // 2], 3),
        "p99_seconds": round(durations[int(len(durations) * 0.99)], 3),
        "max_seconds": round(durations[-1], 3),
        "budget_seconds": BUDGET_SECONDS,
    }
    directory = results_dir(pytestconfig)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"load-{scenario}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))

    assert len(rows) == processes * calls
    assert lost == [], f"{len(lost)} keys answered 200 are missing"
    assert written_anyway == []
    assert durations[-1] < BUDGET_SECONDS
    assert set(statuses) <= {200, 429}, statuses
    assert set(codes) <= {"genesys_rate_limited"}, codes
    assert stack.token_requests() == processes  # one token per warm container
    if scenario == "tight-limit":
        assert statuses[429] > 0
