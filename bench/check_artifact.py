"""Checks a built deployment package (what src/handler/Makefile puts in ARTIFACTS_DIR).

`python bench/check_artifact.py DIR [--platform aarch64]` prints a JSON summary and exits 1 if anything
is wrong. It must run on Python 3.13 (the runtime's version), whose bytecode the package must carry:

- every .py has its `__pycache__/NAME.cpython-313.pyc`, hash-based and unchecked (flags 0b01), whose
  source hash matches the .py next to it and whose magic number is this Python's;
- nothing the function does not run: no tests, type stubs, console scripts, installer records, other
  caches, and no botocore (the runtime provides it with boto3);
- what it does run is there: app.py, the SDK's config file with `live_reload_config = false`, the
  METADATA of every distribution (importlib.metadata reads it);
- compiled extensions are built for the target platform;
- the unzipped size is within Lambda's 250 MB limit for .zip packages.
"""

from __future__ import annotations

import argparse
import configparser
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
CACHE_TAG = "cpython-313"
SDK_CONFIG = Path("participant_data/genesys/sdk_home/.genesyscloudpython/config")
UNWANTED_DIRECTORIES = {"tests", "bin", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
UNWANTED_TOP_LEVEL = ("botocore", "boto3", "s3transfer")
INSTALLER_RECORDS = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
UNCHECKED_HASH_FLAGS = 0b01


def check(root: Path, platform: str) -> dict[str, Any]:
    """A summary of the package at `root`; its "problems" list is empty when the package is right."""
    if sys.version_info[:2] != (3, 13):
        raise RuntimeError(f"run this with Python 3.13 (the runtime's), not {sys.version.split()[0]}")
    problems: list[str] = []
    files = [path for path in root.rglob("*") if path.is_file()]
    sources = [path for path in files if path.suffix == ".py"]
    compiled = [path for path in files if path.suffix == ".pyc"]
    for source in sources:
        problem = _bytecode_problem(source)
        if problem:
            problems.append(problem)
    expected = {_cache_path(source) for source in sources}
    problems += [
        f"bytecode without its source: {_rel(path, root)}" for path in compiled if path not in expected
    ]
    for path in root.rglob("*"):
        name = path.name
        if path.is_dir() and (name in UNWANTED_DIRECTORIES or name.endswith("-stubs")):
            problems.append(f"not needed at run time: {_rel(path, root)}/")
        elif path.is_file() and (name.endswith(".pyi") or path.suffix in {".pyo", ".c", ".h"}):
            problems.append(f"not needed at run time: {_rel(path, root)}")
        elif path.is_file() and path.parent.name.endswith(".dist-info") and name in INSTALLER_RECORDS:
            problems.append(f"installer record: {_rel(path, root)}")
    problems += [
        f"provided by the runtime, must not be bundled: {name}"
        for name in UNWANTED_TOP_LEVEL
        if (root / name).exists()
    ]
    problems += _required_problems(root)
    extensions = sorted(_rel(path, root) for path in files if path.suffix == ".so")
    problems += [f"extension not built for {platform}: {name}" for name in extensions if platform not in name]
    size = sum(path.stat().st_size for path in files)
    if size > LAMBDA_UNZIPPED_LIMIT_BYTES:
        problems.append(f"{size} bytes unzipped: over Lambda's {LAMBDA_UNZIPPED_LIMIT_BYTES}")
    return {
        "root": str(root),
        "files": len(files),
        "python_sources": len(sources),
        "bytecode_files": len(compiled),
        "unzipped_bytes": size,
        "extension_modules": extensions,
        "distributions": sorted(path.name for path in root.glob("*.dist-info")),
        "problems": problems,
    }


def _cache_path(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.{CACHE_TAG}.pyc"


def _bytecode_problem(source: Path) -> str | None:
    cached = _cache_path(source)
    if not cached.is_file():
        return f"no {CACHE_TAG} bytecode for {source}"
    header = cached.read_bytes()[:16]
    if header[:4] != importlib.util.MAGIC_NUMBER:
        return f"bytecode of another Python version: {cached}"
    flags = int.from_bytes(header[4:8], "little")
    if flags != UNCHECKED_HASH_FLAGS:
        kind = "timestamp-based" if flags == 0 else "checked hash-based"
        return f"{kind} bytecode (stale or re-checked on Lambda): {cached}"
    if header[8:16] != importlib.util.source_hash(source.read_bytes()):
        return f"bytecode not compiled from this source: {cached}"
    return None


def _required_problems(root: Path) -> list[str]:
    problems = []
    if not (root / "app.py").is_file():
        problems.append("app.py (the handler's module) is missing")
    config = configparser.ConfigParser()
    if not config.read(root / SDK_CONFIG):
        problems.append(f"the Genesys SDK's config file is missing: {SDK_CONFIG}")
    elif config.getboolean("general", "live_reload_config", fallback=True):
        problems.append(f"{SDK_CONFIG} does not set live_reload_config = false")
    for dist_info in root.glob("*.dist-info"):
        if not (dist_info / "METADATA").is_file():
            problems.append(f"{dist_info.name} has no METADATA (importlib.metadata needs it)")
    return problems


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("root", type=Path)
    parser.add_argument("--platform", default="aarch64", help="aarch64 (Lambda arm64) or x86_64")
    args = parser.parse_args()
    summary = check(args.root, args.platform)
    print(json.dumps(summary, indent=2))
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
