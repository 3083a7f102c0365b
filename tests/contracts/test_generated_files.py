"""The committed contracts are exactly what the generator writes, and `check` says when they drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api_contracts.__main__ import main
from api_contracts.data_actions import ActionOptions
from api_contracts.files import REPO_ROOT, drifted, generated_files, write


def test_committed_files_are_up_to_date() -> None:
    assert drifted(generated_files(), REPO_ROOT) == [], "run `make contracts` and commit the result"
    assert main(["check"]) == 0


def test_generation_is_deterministic_and_formatted() -> None:
    first, second = generated_files(), generated_files()
    assert first == second
    for content in first.values():
        assert content.endswith("}\n")
        assert json.dumps(json.loads(content), indent=2, sort_keys=True, ensure_ascii=True) + "\n" == content


def test_drift_is_reported(tmp_path: Path) -> None:
    files = generated_files()
    write(files, tmp_path)
    assert drifted(files, tmp_path) == []
    changed, *_ = files
    (tmp_path / changed).write_text(files[changed].replace("3.1.0", "3.0.3", 1), encoding="utf-8")
    missing = list(files)[-1]
    (tmp_path / missing).unlink()

    assert drifted(files, tmp_path) == [changed, missing]


def test_write_with_deployed_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f:live"
    assert main(["write", "--out", str(tmp_path), "--attributes", "menu", "--function-arn", arn]) == 0

    expected = generated_files(ActionOptions(attributes=("menu",), function_arn=arn))
    assert drifted(expected, tmp_path) == []
    assert "wrote" in capsys.readouterr().out


def test_write_refuses_names_genesys_would_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["write", "--out", str(tmp_path), "--attributes", "rawRequest"]) == 2
    assert "reserved" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
