"""`make conformance`: the suite against the emulator, as a separate process, ending with the line
`conformance: N/N behaviours match`. The committed report under docs/conformance/ is that run's."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conformance.checks import SUITE
from tests.processes import PROJECT_PYTHONPATH, run

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "docs" / "conformance" / "emulator.json"
COMMAND = ["-m", "conformance", "run", "--target", "emulator"]


def test_the_suite_against_the_emulator_matches_every_behaviour(tmp_path: Path) -> None:
    finished = run(
        [sys.executable, *COMMAND, "--out", str(tmp_path)], {**os.environ, "PYTHONPATH": PROJECT_PYTHONPATH}
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.splitlines()[-1] == f"conformance: {len(SUITE)}/{len(SUITE)} behaviours match"
    report = json.loads((tmp_path / "emulator.json").read_text())
    assert [c["result"] for c in report["checks"]] == ["match"] * len(SUITE)
    assert report["cleanup"]["clean"] is True
    assert (tmp_path / "emulator.md").read_text().startswith("# Conformance run against the emulator")


def test_make_conformance_runs_that_command() -> None:
    dry = run(["make", "-n", "--no-print-directory", "conformance", "OUT=somewhere"], os.environ, 60)

    assert dry.returncode == 0, dry.stderr
    assert f"{' '.join(COMMAND)} --out 'somewhere'" in dry.stdout


def test_the_committed_emulator_report_is_the_current_suites() -> None:
    report = json.loads(COMMITTED.read_text())

    assert report["target"] == "emulator"
    assert [(c["id"], c["facts"], c["result"]) for c in report["checks"]] == [
        (check.id, check.citations, "match") for check in SUITE
    ]
    assert (COMMITTED.with_suffix(".md")).is_file()
