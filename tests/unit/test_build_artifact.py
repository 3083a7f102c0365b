"""The deployment package src/handler/Makefile builds (what `sam build` zips), as the Makefile built it.

`make test` builds the arm64 package into build/package-arm64/ before pytest starts (the Makefile's
TEST_PACKAGE), so no test installs anything or reaches a package index; when the package is missing or
was built from other sources than today's, the tests here fail and say to run `make test`.
bench/check_artifact.py checks the package, and it is then imported the way Lambda imports it: by a bare
Python 3.13 whose only other libraries are the runtime's (boto3 and friends), so a dependency missing
from the package cannot be hidden by the .venv.

"Nothing written" is checked by comparing every file's path, size, mtime and hash before and after the
import, on a copy stamped with the zip's 1980 mtimes and left writable, with bytecode writing on. A
read-only package would hide the writes instead of preventing them (Python ignores a .pyc it cannot
write, and recompiles at every cold start), and as root neither file modes nor PYTHONDONTWRITEBYTECODE
would show them; the last tests prove the comparison catches a recompiled module.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import py_compile
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench import harness
from bench.check_artifact import check

from participant_data.genesys import sdk_loader
from tests.processes import run

REPO = Path(__file__).resolve().parents[2]
HANDLER = REPO / "src" / "handler"
# Built by the Makefile (TEST_PACKAGE) before the tests run.
PACKAGE = REPO / "build" / "package-arm64" / "ParticipantDataFunction"
# What the recipe copies from src/handler into the package (its SOURCES).
PACKAGED_SOURCES = ("app.py", "participant_data")
# The interpreter the .venv was made from: Python 3.13 without the .venv's packages.
BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"

IMPORT_PROBE = """
import json, sys, threading
import app
from participant_data.genesys import sdk
print(json.dumps({
    "mode": sdk.LOAD_MODE,
    "files": {
        name: getattr(sys.modules[name], "__file__", None) or list(sys.modules[name].__path__)[0]
        for name in ("app", "PureCloudPlatformClientV2", "aws_lambda_powertools", "urllib3", "botocore")
    },
    "sdk_modules": sum(1 for name in sys.modules if name.split(".")[0] == "PureCloudPlatformClientV2"),
    "threads": [thread.name for thread in threading.enumerate()],
    "writes_bytecode": not sys.flags.dont_write_bytecode and sys.pycache_prefix is None,
}))
"""

Snapshot = dict[str, tuple[str, ...]]


@pytest.fixture(scope="module")
def artifact() -> Path:
    if not (PACKAGE / "app.py").is_file():
        pytest.fail(f"no Lambda package at {PACKAGE}: run `make test`, which builds it before the tests")
    differing = _differing_sources(PACKAGE)
    if differing:
        pytest.fail(
            f"the package at {PACKAGE} was built from other sources than src/handler's "
            f"({', '.join(differing[:5])}): run `make test`, which rebuilds it"
        )
    return PACKAGE


def _differing_sources(package: Path) -> list[str]:
    """Source files that differ between src/handler and the package, or exist in only one of them."""

    def sources(root: Path) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for name in PACKAGED_SOURCES:
            top = root / name
            files = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
            for path in files:
                if "__pycache__" not in path.parts and path.suffix != ".pyc":
                    found[path.relative_to(root).as_posix()] = path.read_bytes()
        return found

    expected, shipped = sources(HANDLER), sources(package)
    return sorted(
        name for name in expected.keys() | shipped.keys() if expected.get(name) != shipped.get(name)
    )


@pytest.fixture(scope="module")
def summary(artifact: Path) -> dict[str, Any]:
    return check(artifact, "aarch64")


def test_the_package_passes_every_check(summary: dict[str, Any]) -> None:
    assert summary["problems"] == []


def test_every_module_has_unchecked_hash_bytecode(summary: dict[str, Any]) -> None:
    assert summary["python_sources"] == summary["bytecode_files"] > 7000


def test_compiled_extensions_are_for_lambda_arm64(summary: dict[str, Any]) -> None:
    assert summary["extension_modules"]
    assert all("aarch64" in name for name in summary["extension_modules"])


def test_distributions_keep_the_metadata_importlib_reads(artifact: Path) -> None:
    versions = {
        distribution.metadata["Name"].lower().replace("_", "-"): distribution.version
        for distribution in importlib.metadata.distributions(path=[str(artifact)])
    }
    assert versions["purecloudplatformclientv2"] == sdk_loader.PINNED_VERSION
    pins = dict(
        line.split("==") for line in (HANDLER / "requirements.txt").read_text().splitlines() if "==" in line
    )
    assert versions["aws-lambda-powertools"] == pins["aws-lambda-powertools[tracer]"]
    assert "botocore" not in versions  # the runtime provides it, with boto3
    # Every other distribution shipped is pinned by constraints.txt: no build floats to a newer release.
    constraints = dict(
        line.lower().replace("_", "-").split("==")
        for line in (HANDLER / "constraints.txt").read_text().splitlines()
        if "==" in line
    )
    transitive = {name: version for name, version in versions.items() if name not in _names(pins)}
    assert transitive == constraints


def _names(pins: dict[str, str]) -> set[str]:
    return {name.split("[")[0].lower() for name in pins}


def test_the_package_imports_with_only_the_runtimes_libraries_and_writes_nothing(
    artifact: Path, tmp_path: Path
) -> None:
    task = harness.prepare_task(artifact, tmp_path / "task")
    runtime = harness.runtime_libraries(_site_packages(), tmp_path / "runtime")

    result, written = _run_and_compare(task, runtime, IMPORT_PROBE)

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["writes_bytecode"] is True  # so a stale or missing .pyc would have been rewritten
    assert report["mode"] == "lean"
    assert report["sdk_modules"] < 400
    assert report["threads"] == ["MainThread"]  # no SDK config watcher
    for name in ("app", "PureCloudPlatformClientV2", "aws_lambda_powertools", "urllib3"):
        assert report["files"][name].startswith(str(task)), name
    assert report["files"]["botocore"].startswith(str(runtime))
    assert written == []


def _run_and_compare(
    task: Path, runtime: Path, probe: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `probe` with `task` first on sys.path as Lambda would; what changed in `task` meanwhile."""
    environment = {  # built from nothing: no PYTHONDONTWRITEBYTECODE or PYTHONPYCACHEPREFIX can leak in
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{task}:{runtime}",
        "GENESYS_SECRET_ID": "genesys/participant-data",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "GenesysParticipantData",
    }
    before = _snapshot(task)
    # -S: no site-packages of the base Python and none of its .pth hooks (a machine's hook may patch CA
    # bundles it finds, certifi's in the package included); sys.path is the task, the runtime's libraries
    # and the standard library, as on Lambda.
    result = run([str(BASE_PYTHON), "-S", "-c", probe], environment, cwd=task)
    after = _snapshot(task)
    return result, sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def _snapshot(root: Path) -> Snapshot:
    """Every entry under `root`: a directory, a link and its target, or a file's size, mtime and hash."""
    entries: Snapshot = {}
    for directory, names, files in os.walk(root):
        for name in names:
            entries[os.path.relpath(os.path.join(directory, name), root)] = ("dir",)
        for name in files:
            path = Path(directory, name)
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[key] = ("link", os.readlink(path))
            else:
                status = path.stat()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[key] = ("file", str(status.st_size), str(status.st_mtime_ns), digest)
    return entries


def _site_packages() -> Path:
    import awslambdaric

    return Path(awslambdaric.__file__).resolve().parents[1]


# --- The checks themselves -------------------------------------------------------------------------------


def _package(root: Path, mode: py_compile.PycInvalidationMode | None) -> Path:
    (root / "participant_data" / "genesys" / "sdk_home" / ".genesyscloudpython").mkdir(parents=True)
    (root / "participant_data" / "genesys" / "sdk_home" / ".genesyscloudpython" / "config").write_text(
        "[general]\nlive_reload_config = false\n"
    )
    (root / "app.py").write_text("VALUE = 1\n")
    if mode is not None:
        py_compile.compile(str(root / "app.py"), invalidation_mode=mode, doraise=True)
    return root


@pytest.mark.parametrize(
    ("mode", "rewritten"),
    [
        (None, True),  # no bytecode: compiled and written at import
        (py_compile.PycInvalidationMode.TIMESTAMP, True),  # stale once stamped 1980, as on Lambda
        (py_compile.PycInvalidationMode.UNCHECKED_HASH, False),  # used as it is
    ],
    ids=["missing", "timestamp", "unchecked-hash"],
)
def test_the_write_check_catches_bytecode_written_at_import(
    tmp_path: Path, mode: py_compile.PycInvalidationMode | None, rewritten: bool
) -> None:
    task = harness.prepare_task(_package(tmp_path / "package", mode), tmp_path / "task")

    result, written = _run_and_compare(task, tmp_path, "import app")

    assert result.returncode == 0, result.stderr
    expected = ["__pycache__"] * (mode is None) + ["__pycache__/app.cpython-313.pyc"] * rewritten
    assert written == expected


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        (None, "no cpython-313 bytecode"),
        (py_compile.PycInvalidationMode.TIMESTAMP, "timestamp-based bytecode"),
        (py_compile.PycInvalidationMode.CHECKED_HASH, "checked hash-based bytecode"),
        (py_compile.PycInvalidationMode.UNCHECKED_HASH, None),
    ],
)
def test_the_checker_accepts_only_unchecked_hash_bytecode(
    tmp_path: Path, mode: py_compile.PycInvalidationMode | None, problem: str | None
) -> None:
    problems = check(_package(tmp_path, mode), "aarch64")["problems"]
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problem in problems[0]


def test_the_checker_finds_what_must_not_ship(tmp_path: Path) -> None:
    root = _package(tmp_path, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    (root / "somelib" / "tests").mkdir(parents=True)
    (root / "botocore").mkdir()
    (root / "somelib-1.0.dist-info").mkdir()
    (root / "somelib-1.0.dist-info" / "RECORD").write_text("")
    (root / "native.cpython-313-x86_64-linux-gnu.so").write_bytes(b"")
    problems = "\n".join(check(root, "aarch64")["problems"])
    for expected in ("somelib/tests/", "botocore", "RECORD", "no METADATA", "not built for aarch64"):
        assert expected in problems
