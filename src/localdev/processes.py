"""Stopping the child processes the local tools start (stand-in servers, benchmark runtimes)."""

from __future__ import annotations

import subprocess  # nosec B404 # stops only child processes this project started


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, wait up to `timeout` seconds, then SIGKILL: nothing is left running."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
