"""Where no Docker daemon answers, `make invoke` says so in one line, points elsewhere and exits 2."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from tests.invoke.conftest import REPO, run, run_make


def closed_unix_socket(folder: Path) -> str:
    """A DOCKER_HOST whose socket file exists but where nothing listens (connect is refused)."""
    path = folder / "docker.sock"
    with socket.socket(socket.AF_UNIX) as unbound:
        unbound.bind(str(path))
    return f"unix://{path}"


def test_make_invoke_without_a_daemon_says_so_in_one_line_and_fails(tmp_path: Path) -> None:
    docker_host = closed_unix_socket(tmp_path)

    result = run_make("invoke", env={"DOCKER_HOST": docker_host}, timeout=120)

    ours = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    # make fails with its own status; its last line gives the command's (2: no Docker).
    assert result.returncode != 0
    assert result.stderr.splitlines()[-1].endswith("Error 2"), result.stderr
    assert result.stdout == ""
    assert len(ours) == 1, result.stderr
    assert f"no Docker daemon answers at {docker_host}" in ours[0]
    assert "`make demo`" in ours[0]
    assert "`make serve`" in ours[0]


def test_without_the_docker_command_it_says_that_instead() -> None:
    environment = {
        **os.environ,
        "PATH": "/nonexistent",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO / "src" / "handler")]),
    }

    result = run(
        [sys.executable, "-m", "localdev.invoke", "--python", sys.executable, "--sam", "sam"], environment, 60
    )

    lines = result.stderr.splitlines()
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(lines) == 1, result.stderr
    assert "the docker command is not installed" in lines[0]
