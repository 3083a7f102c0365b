"""Import timing in fresh processes: one `import X` per process, timed around the import statement.

Each probe starts a new interpreter with the Lambda environment of bench/harness.py (configured: the
function's variables are set), imports one module, and reports the seconds the import took, the modules
loaded, the peak RSS and the threads running afterwards. Probes alternate between the modules compared,
so that a drift of the machine touches them alike; the report takes medians.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import lambda_environment, read_only_command

PROBE = """
import json, resource, sys, threading, time
started = time.perf_counter()
import {module}
seconds = time.perf_counter() - started
print(json.dumps({{
    "seconds": seconds,
    "modules": len(sys.modules),
    "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "threads": sorted(thread.name for thread in threading.enumerate()),
    "sdk_load_mode": getattr(sys.modules.get("participant_data.genesys.sdk"), "LOAD_MODE", None),
}}))
"""


@dataclass
class ImportSetup:
    """Where the modules come from: a task folder (read-only) or a virtualenv, and the interpreter."""

    label: str
    python: Path
    task: Path
    runtime_dir: Path
    variables: dict[str, str]
    read_only: bool
    read_only_mount: bool


def time_import(setup: ImportSetup, module: str, timeout: float = 120.0) -> dict[str, Any]:
    environment = lambda_environment(
        setup.task,
        setup.runtime_dir,
        "127.0.0.1:9",
        setup.variables,
        memory_mb=512,
        xray_address="127.0.0.1:2000",
    )
    if setup.read_only and not setup.read_only_mount:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [str(setup.python), "-c", PROBE.format(module=module)]
    if setup.read_only:
        command = read_only_command(setup.task, command, setup.read_only_mount)
    result = subprocess.run(
        command, cwd=setup.task, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{setup.label}: import {module} failed:\n{result.stderr[-3000:]}")
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def alternate(setup: ImportSetup, modules: list[str], rounds: int) -> dict[str, list[dict[str, Any]]]:
    """`rounds` probes of each module, alternating between them."""
    runs: dict[str, list[dict[str, Any]]] = {module: [] for module in modules}
    for _ in range(rounds):
        for module in modules:
            runs[module].append(time_import(setup, module))
    return runs


def venv_setup(
    label: str, venv_python: Path, source_roots: list[Path], variables: Mapping[str, str]
) -> ImportSetup:
    """The project's .venv with the sources on PYTHONPATH (valid bytecode, as on a developer's machine)."""
    first, *rest = source_roots
    return ImportSetup(
        label=label,
        python=venv_python,
        task=first,
        runtime_dir=Path(os.pathsep.join(str(p) for p in rest)),
        variables=dict(variables),
        read_only=False,
        read_only_mount=False,
    )
