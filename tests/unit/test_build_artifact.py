"""The deployment package src/handler/Makefile builds (what `sam build` zips), built here into a temp dir.

The build installs the Lambda-platform wheels with pip (from the configured package index, as `make
build` does) and compiles with this Python 3.13; it takes ~15 s. bench/check_artifact.py checks the
result, and the package is then imported the way Lambda imports it: read-only, by a bare Python 3.13
whose only other libraries are the runtime's (boto3 and friends), so a dependency missing from the
package cannot be hidden by the .venv.
"""

from __future__ import annotations

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

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_SECONDS = 300
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
}))
"""


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("artifact") / "ParticipantDataFunction"
    result = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(REPO / "src" / "handler"),
            "build-ParticipantDataFunction",
            f"ARTIFACTS_DIR={root}",
            f"PYTHON={sys.executable}",
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return root


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
        line.split("==")
        for line in (REPO / "src" / "handler" / "requirements.txt").read_text().splitlines()
        if "==" in line
    )
    assert versions["aws-lambda-powertools"] == pins["aws-lambda-powertools[tracer]"]
    assert "botocore" not in versions  # the runtime provides it, with boto3
    # Every other distribution shipped is pinned by constraints.txt: no build floats to a newer release.
    constraints = dict(
        line.lower().replace("_", "-").split("==")
        for line in (REPO / "src" / "handler" / "constraints.txt").read_text().splitlines()
        if "==" in line
    )
    transitive = {name: version for name, version in versions.items() if name not in _names(pins)}
    assert transitive == constraints


def _names(pins: dict[str, str]) -> set[str]:
    return {name.split("[")[0].lower() for name in pins}


def test_the_package_imports_read_only_with_only_the_runtimes_libraries(
    artifact: Path, tmp_path: Path
) -> None:
    runtime = harness.runtime_libraries(_site_packages(), tmp_path / "runtime")
    mount = harness.read_only_mount_available()
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{artifact}:{runtime}",
        "GENESYS_SECRET_ID": "genesys/participant-data",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "GenesysParticipantData",
    }
    if not mount:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    files_before = sum(len(names) for _, _, names in os.walk(artifact))
    command = harness.read_only_command(artifact, [str(BASE_PYTHON), "-c", IMPORT_PROBE], mount)
    try:
        result = subprocess.run(
            command, cwd=artifact, env=environment, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        if not mount:
            harness._make_writable(artifact)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["mode"] == "lean"
    assert report["sdk_modules"] < 400
    assert report["threads"] == ["MainThread"]  # no SDK config watcher
    for name in ("app", "PureCloudPlatformClientV2", "aws_lambda_powertools", "urllib3"):
        assert report["files"][name].startswith(str(artifact)), name
    assert report["files"]["botocore"].startswith(str(runtime))
    assert sum(len(names) for _, _, names in os.walk(artifact)) == files_before  # nothing written


def _site_packages() -> Path:
    import awslambdaric

    return Path(awslambdaric.__file__).resolve().parents[1]


# --- The checker itself ---------------------------------------------------------------------------------


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
