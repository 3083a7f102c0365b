"""Fixtures of the `make invoke` tests: running make as a user does, and whether Docker is there."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from localdev.docker import daemon_problem
from tests.processes import run as run  # re-exported: the invoke tests import it from here

REPO = Path(__file__).resolve().parents[2]


def run_make(
    target: str, *variables: str, env: Mapping[str, str] | None = None, timeout: float = 900.0
) -> subprocess.CompletedProcess[str]:
    """`make TARGET VARIABLES...` as a user runs it from a shell, with `env` added to this environment
    (when the tests themselves run under `make test`, make's own variables are dropped, so this make is a
    top-level one and says `make: ***`, not `make[1]: ***`)."""
    inherited = {name: value for name, value in os.environ.items() if name not in _MAKE_VARIABLES}
    return run(["make", "--no-print-directory", target, *variables], {**inherited, **(env or {})}, timeout)


_MAKE_VARIABLES = frozenset({"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"})


@pytest.fixture(scope="session")
def docker_daemon() -> None:
    """Skips (saying why) where no Docker daemon answers: scripts/start-docker.sh starts one as root."""
    problem = daemon_problem()
    if problem is not None:
        pytest.skip(f"make invoke needs Docker: {problem} (scripts/start-docker.sh starts one as root)")
