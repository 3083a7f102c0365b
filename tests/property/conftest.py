"""Hostile-input property tests: a fixed, derandomized Hypothesis profile and a count of what was tried.

The profile is registered here and applied by each hostile-input test's own `@settings`, never loaded for
the session: other Hypothesis users (the schemathesis tests) keep their own, randomized settings.

Every example is one malformed request run through the real Lambda handler with Genesys replaced by an
in-process fake. The tests assert on each example; the count is printed at the end of the run (and must
reach MIN_EXAMPLES when the whole property suite ran) so the "10,000 per run" promise is checked, not
assumed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.property import tally

# derandomize: the same examples on every run, so CI is stable; no example database on disk either.
settings.register_profile(
    "hostile-input",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)

MIN_EXAMPLES = 10_000


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if tally.COUNTS:
        total = sum(tally.COUNTS.values())
        terminalreporter.write_line(
            f"hostile input: {total} malformed requests, "
            + ", ".join(f"{name} {count}" for name, count in sorted(tally.COUNTS.items()))
            + f"; requests that reached Genesys: {tally.REACHED_GENESYS}"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """When every property test ran, fewer than MIN_EXAMPLES malformed requests fails the run."""
    if (
        tally.COUNTS
        and set(tally.COUNTS) >= tally.EXPECTED_TESTS
        and sum(tally.COUNTS.values()) < MIN_EXAMPLES
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(
            f"\nhostile input: only {sum(tally.COUNTS.values())} malformed requests; at least {MIN_EXAMPLES}"
        )
