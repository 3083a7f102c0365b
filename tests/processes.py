"""Child processes of the tests: a command run to its end with its output captured, and the PYTHONPATH
that lets a child Python import the project (src/ and src/handler/) from any working directory."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT_PYTHONPATH = os.pathsep.join(str(REPO / folder) for folder in ("src", "src/handler"))
CHILD_TIMEOUT_SECONDS = 120.0


def run(
    command: Sequence[str],
    env: Mapping[str, str],
    timeout: float = CHILD_TIMEOUT_SECONDS,
    *,
    cwd: Path = REPO,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`command` in `cwd` (the repository) with exactly `env`; output captured as text, the exit status
    not checked: the caller asserts it, with the output in its message."""
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
