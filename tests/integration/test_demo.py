"""`make demo` end to end, as a user runs it: a child process that starts its own stand-ins on loopback."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.runner import ROOT, SOURCE_PATH, base_environment


def test_the_demo_writes_then_keeps_a_write_through_an_outage_and_applies_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "localdev.demo"],
        capture_output=True,
        text=True,
        env={**base_environment(ROOT), "PYTHONPATH": SOURCE_PATH},
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    print(done.stdout, done.stderr)

    assert done.returncode == 0
    act_two = done.stdout.split("== 2.")[1].split("== 3.")[0]
    act_three = done.stdout.split("== 3.")[1]
    assert '"queued": true' in act_two
    assert "HTTP 200" in act_two
    assert "1 write(s) waiting" in act_two
    assert "callback_requested = yes" in act_three
    assert "0 write(s) waiting, 0 in flight" in act_three
    assert "no pending mark" in act_three
