"""docs/genesys-facts.md marks each fact the suite checks with the real-org run that confirmed or refuted
it; a run against the emulator, in-process or served as an "org" on loopback, never marks anything."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import SUITE
from conformance.cli import main
from conformance.facts import NOT_YET, MarkRefused, apply_marks, marks
from conformance.http import HttpClient
from conformance.report import document
from conformance.runner import run_suite
from conformance.targets import emulator_target

REPO = Path(__file__).resolve().parents[2]
FACTS = REPO / "docs" / "genesys-facts.md"
SUITE_ANCHORS = sorted({anchor for check in SUITE for anchor in check.anchors})


@pytest.fixture(scope="module")
def emulator_report() -> dict[str, Any]:
    with emulator_target() as target:
        return document(run_suite(target, HttpClient()))


def _as_org(report: dict[str, Any], api_base_url: str = "https://api.usw2.pure.cloud") -> dict[str, Any]:
    org = copy.deepcopy(report)
    org.update(target="org", api_base_url=api_base_url, started_at="2025-03-04T10:00:00+00:00")
    return org


def _write_tree(root: Path, report: dict[str, Any], report_name: str) -> tuple[Path, Path]:
    """Under `root`, laid out as in the repository: a copy of docs/genesys-facts.md and `report` as
    docs/conformance/<report_name>. Their paths, the facts' first."""
    facts = root / "docs" / "genesys-facts.md"
    facts.parent.mkdir()
    shutil.copy(FACTS, facts)
    written = root / "docs" / "conformance" / report_name
    written.parent.mkdir()
    written.write_text(json.dumps(report))
    return facts, written


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    (check,) = [c for c in report["checks"] if c["id"] == check_id]
    found: dict[str, Any] = check
    return found


def test_every_fact_the_suite_checks_carries_a_real_org_conformance_line() -> None:
    text = FACTS.read_text()
    unmarked = [anchor for anchor in SUITE_ANCHORS if marks_line(text, anchor) is None]
    assert unmarked == []


def test_a_run_against_the_emulator_never_marks_a_fact(emulator_report: dict[str, Any]) -> None:
    with pytest.raises(MarkRefused):
        marks(emulator_report, "docs/conformance/emulator.json")
    for loopback in ("https://127.0.0.1:8443", "https://localhost:8443", "https://[::1]:8443"):
        with pytest.raises(MarkRefused):
            marks(_as_org(emulator_report, loopback), "docs/conformance/org.json")


def test_the_command_refuses_an_emulator_report_and_leaves_the_facts_as_they_were(
    emulator_report: dict[str, Any], tmp_path: Path
) -> None:
    facts, report = _write_tree(tmp_path, emulator_report, "emulator.json")
    out = io.StringIO()

    assert main(["mark-facts", str(report), "--facts", str(facts)], out=out) == 2
    assert "refusing to mark facts" in out.getvalue()
    assert facts.read_text() == FACTS.read_text()


def test_a_real_org_report_confirms_what_matched_and_refutes_what_did_not(
    emulator_report: dict[str, Any], tmp_path: Path
) -> None:
    org = _as_org(emulator_report)
    empty = _check(org, "patch-empty-string")
    empty.update(result="differs", findings={**empty["findings"], "empty_string": "key removed"})
    _check(org, "rate-limit-429").update(result="not checked", findings=None, expected=None)
    facts, report = _write_tree(tmp_path, org, "org-api.usw2.pure.cloud-20250304T100000Z.json")
    out = io.StringIO()

    assert main(["mark-facts", str(report), "--facts", str(facts)], out=out) == 0, out.getvalue()

    text = facts.read_text()
    reference = "`docs/conformance/org-api.usw2.pure.cloud-20250304T100000Z.json` (2025-03-04)"
    assert marks_line(text, "merge-vs-replace") == (
        f"- **Real-org conformance:** refuted by {reference}: "
        "patch-empty-string (status 202, empty_string key removed)."
    )
    assert marks_line(
        text, "rejected-credentials", prefix=f"- **Real-org conformance:** confirmed by {reference}"
    )
    assert marks_line(text, "rate-limits") == NOT_YET  # not observed on the org: left as it was
    assert len(text.splitlines()) == len(FACTS.read_text().splitlines())


def test_a_fact_without_a_line_to_mark_is_an_error() -> None:
    text = (
        '### <a id="merge-vs-replace"></a>Merge vs replace\n\n- **How sure:** likely.\n\n'
        '### <a id="next"></a>Next\n\n- **Real-org conformance:** none yet.\n'
    )

    with pytest.raises(MarkRefused):
        apply_marks(text, {"merge-vs-replace": "- **Real-org conformance:** confirmed."})


def marks_line(text: str, anchor: str, prefix: str | None = None) -> str | None:
    """The fact's ``Real-org conformance`` line (None without one); with ``prefix``, only if it starts so."""
    start = text.find(f'<a id="{anchor}"></a>')
    if start < 0:
        return None
    section = re.split(r"\n##", text[start:], maxsplit=1)[0]
    found = re.search(r"^- \*\*Real-org conformance:\*\*.*$", section, re.MULTILINE)
    if found is None or (prefix is not None and not found.group(0).startswith(prefix)):
        return None
    return found.group(0)
