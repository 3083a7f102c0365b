"""The host-platform package (localdev.lambda_package): which platform, and when it is rebuilt."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import pytest

from localdev.lambda_package import (
    BUILT_STAMP,
    HANDLER_DIR,
    host_architecture,
    host_platform_tag,
    package_is_current,
)


@pytest.mark.parametrize(
    ("machine", "architecture", "tag"),
    [
        ("x86_64", "x86_64", "manylinux2014_x86_64"),
        ("aarch64", "arm64", "manylinux2014_aarch64"),
        ("arm64", "arm64", "manylinux2014_aarch64"),
    ],
)
def test_the_machine_gives_the_architecture_and_the_wheel_platform(
    monkeypatch: pytest.MonkeyPatch, machine: str, architecture: str, tag: str
) -> None:
    monkeypatch.setattr(platform, "machine", lambda: machine)

    assert (host_architecture(), host_platform_tag()) == (architecture, tag)


def test_a_machine_lambda_does_not_run_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "machine", lambda: "riscv64")

    with pytest.raises(RuntimeError, match="riscv64"):
        host_architecture()


def newest_source_time() -> float:
    sources = (path for path in HANDLER_DIR.rglob("*") if path.is_file() and "__pycache__" not in path.parts)
    return max(source.stat().st_mtime for source in sources)


def test_a_package_never_stamped_is_not_current(tmp_path: Path) -> None:
    assert not package_is_current(tmp_path)


def test_a_package_stamped_after_the_sources_changed_is_current(tmp_path: Path) -> None:
    stamp = tmp_path / BUILT_STAMP
    stamp.touch()
    later = newest_source_time() + 60
    os.utime(stamp, (later, later))

    assert package_is_current(tmp_path)


def test_a_package_stamped_before_a_source_changed_is_rebuilt(tmp_path: Path) -> None:
    stamp = tmp_path / BUILT_STAMP
    stamp.touch()
    earlier = newest_source_time() - 60
    os.utime(stamp, (earlier, earlier))

    assert not package_is_current(tmp_path)
