"""scripts/render_reliability.py renders the fault matrix only from results in which every case held."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_reliability.py"
DOCUMENT = "# Reliability\n\n<!-- BEGIN faults -->\nold table\n<!-- END faults -->\n"


def _row(case: str, *, verified: bool = True, of: int = 2, **fields: Any) -> dict[str, Any]:
    return {
        "case": case,
        "group": "Genesys API",
        "fault": "PATCH *, held 2 s, every time",
        "settings": {},
        "status": 504,
        "code": "upstream_timeout",
        "retry_after": None,
        "secrets_requests": 1,
        "token_requests": 1,
        "api_requests": 3,
        "patches_applied": 3,
        "write": "applied, answered failure",
        "retries": ["genesys:timeout", "genesys:timeout"],
        "stale_secret": [],
        "seconds": 3.3,
        "budget_seconds": 6.0,
        "cases_in_matrix": of,
        "verified": verified,
        **fields,
    }


def _render(tmp_path: Path, rows: list[dict[str, Any]]) -> tuple[subprocess.CompletedProcess[str], str]:
    (tmp_path / "faults.json").write_text(json.dumps(rows), encoding="utf-8")
    document = tmp_path / "reliability.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), str(document)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result, document.read_text(encoding="utf-8")


def test_a_complete_verified_matrix_is_rendered(tmp_path: Path) -> None:
    warm = _row(
        "Secrets Manager hangs past the TTL",
        status=200,
        code=None,
        patches_applied=1,
        write="applied",
        retries=[],
        stale_secret=["secretsmanager:timeout"],
        settings={"SECRET_CACHE_TTL_SECONDS": "0.5"},
    )
    result, document = _render(tmp_path, [_row("answer lost, always"), warm])

    assert result.returncode == 0, result.stderr
    assert "old table" not in document
    assert (
        "| Genesys API | answer lost, always | PATCH *, held 2 s, every time | 504 upstream_timeout"
        " | **applied, answered failure** | 1 | 1 | 3 | 3 | 2 x genesys:timeout | 3.30 (6) |"
    ) in document
    assert (
        "| 200 ok | applied | 1 | 1 | 3 | 1 | 0; cached secret served after secretsmanager:timeout |"
    ) in document
    assert "SECRET_CACHE_TTL_SECONDS=0.5" in document


def test_a_case_that_failed_its_expectation_is_not_rendered(tmp_path: Path) -> None:
    result, document = _render(tmp_path, [_row("held, always"), _row("reset, always", verified=False)])

    assert result.returncode != 0
    assert "reset, always" in result.stderr
    assert document == DOCUMENT


def test_a_matrix_with_a_case_missing_is_not_rendered(tmp_path: Path) -> None:
    result, document = _render(tmp_path, [_row("held, always", of=3)])

    assert result.returncode != 0
    assert "1 of the matrix's 3 cases" in result.stderr
    assert document == DOCUMENT
