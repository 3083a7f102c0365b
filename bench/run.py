"""`make bench`: measures the function's cold start, warm latency and memory; writes docs/performance.md.

    python -m bench.run --python /path/to/python3.13 --artifact .aws-sam/build/ParticipantDataFunction

`make bench` runs `make build` first and passes its artifact (arm64, as deployed). The steps:

1. Packages: checks the arm64 artifact (bench/check_artifact.py); builds the same package for this
   machine's platform (x86_64: awslambdaric and the compiled wrapt here are x86_64, the artifact's wrapt
   is aarch64), used for timing only; builds the seed-style baseline package the way `sam build`'s
   standard Python workflow does (wheels unpacked, no bytecode).
2. Import: fresh processes, `import PureCloudPlatformClientV2` vs `import app`, alternating (target 1).
3. Cold starts under awslambdaric (bench/harness.py): init, first invocation (secret, token, PATCH), warm
   invocations, memory over 1,000 warm invocations, the SnapStart flow (targets 2, 3, 5).
4. Warm latency in one process: handler vs raw urllib3 PATCH (bench/warm_latency.py, target 4), outbox
   off; then the same run with the outbox on (a FIFO queue and pending-mark table in moto_server): the
   difference is what the mark read adds to every write, which is also timed alone.
5. The report, with a PASS/MISS per target. Targets live here and in the report, never in tests.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import harness, imports, report
from bench.check_artifact import check
from bench.stack import CLIENT_ID, CLIENT_SECRET, EVENT_FILE, REPO, running_stack
from localdev.lambda_package import build_host_package

# Targets (the issue's): compared in the report, never asserted in tests.
IMPORT_RATIO_LIMIT = 0.30
WARM_RATIO_LIMIT = 2.0
WARM_GROWTH_LIMIT_KIB = 1024
MEMORY_CHECKPOINTS = (10, 100, 500, 1000)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", type=Path, required=True, help="Python 3.13 (the runtime's version)")
    parser.add_argument("--artifact", type=Path, required=True, help="the arm64 package `make build` made")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--work", type=Path, default=REPO / ".aws-sam" / "bench")
    parser.add_argument("--import-rounds", type=int, default=7)
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument("--seed-cold-starts", type=int, default=3)
    parser.add_argument("--warm-pairs", type=int, default=1000)
    args = parser.parse_args()
    started = time.monotonic()
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    python = args.python.resolve()
    results: dict[str, Any] = {"machine": _machine(python), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}

    _step("Checking the arm64 artifact")
    results["artifact_arm64"] = check(args.artifact.resolve(), "aarch64")
    _step("Building the host-platform (x86_64) variant and the seed-style baseline package")
    host_package = build_host_package(python, work / "package-x86_64")
    results["artifact_x86_64"] = check(host_package, platform.machine())
    seed_package = _build_seed_package(python, work / "package-seed")
    results["seed_package_bytes"] = _size(seed_package)
    results["seed_package_bytecode_files"] = sum(1 for _ in seed_package.rglob("*.pyc"))

    runtime_dir = harness.runtime_libraries(_site_packages(), work / "runtime")
    read_only_mount = harness.read_only_mount_available()
    results["read_only_mount"] = read_only_mount
    tasks = {
        "service": harness.prepare_task(host_package, work / "task-service"),
        "service-arm64": harness.prepare_task(args.artifact.resolve(), work / "task-service-arm64"),
        "seed": harness.prepare_task(seed_package, work / "task-seed"),
    }

    with running_stack() as stack:
        variables = stack.function_variables()

        _step("Import timing (fresh processes)")
        results["imports"] = _import_timings(python, tasks, runtime_dir, variables, read_only_mount, args)

        _step("Cold starts under awslambdaric")
        results["lambda"] = _lambda_runs(python, tasks, runtime_dir, stack, read_only_mount, work, args)

        _step("Warm latency in one process: outbox off, then on")
        warm = functools.partial(_warm_latency, python, tasks, runtime_dir, stack.emulator_url, work)
        results["warm"] = {
            "service": warm("service", variables, args.warm_pairs),
            # Right after the outbox-off run and in the same way, so the difference is the mark read.
            "service_outbox": warm("service", stack.outbox_variables(), args.warm_pairs, outbox=True),
            "seed": warm("seed", variables, 300),
        }

    results["template"] = report.template_settings(REPO / "template.yaml")
    results["targets"] = _targets(results)
    results["duration_seconds"] = time.monotonic() - started
    (work / "results.json").write_text(json.dumps(results, indent=2, default=_json_default))
    args.output.write_text(report.render(results), encoding="utf-8")
    _step(f"Wrote {args.output} in {results['duration_seconds']:.0f} s")
    for target in results["targets"]:
        print(f"  {target['result']:4}  {target['name']}: {target['figure']}")
    print(f"  info  Outbox on: {report.outbox_summary(results)}")
    return 0


def _step(text: str) -> None:
    print(f"==> {text}", flush=True)


def _machine(python: Path) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    version = subprocess.run([str(python), "-VV"], capture_output=True, text=True, check=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "runtime_python": version,
        "runtime_python_path": str(python),
        "awslambdaric": _distribution_version("awslambdaric"),
    }


def _distribution_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _site_packages() -> Path:
    import awslambdaric

    return Path(awslambdaric.__file__).resolve().parents[1]


def _build_seed_package(python: Path, target: Path) -> Path:
    """The seed baseline as `sam build`'s standard Python workflow packages it: wheels, no bytecode."""
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--disable-pip-version-check",
            "--platform",
            f"manylinux2014_{platform.machine()}",
            "--only-binary=:all:",
            "--python-version",
            "3.13",
            "--implementation",
            "cp",
            "--target",
            str(target),
            "-r",
            str(REPO / "bench" / "seed_requirements.txt"),
        ],
        check=True,
        env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shutil.copy2(REPO / "bench" / "seed_baseline.py", target / "seed_baseline.py")
    return target


def _import_timings(
    python: Path,
    tasks: dict[str, Path],
    runtime_dir: Path,
    variables: dict[str, str],
    mount: bool,
    args: argparse.Namespace,
) -> dict[str, Any]:
    service = imports.ImportSetup(
        "service package", python, tasks["service"], runtime_dir, variables, True, mount
    )
    seed = imports.ImportSetup("seed package", python, tasks["seed"], runtime_dir, variables, True, mount)
    venv = imports.venv_setup(
        "project .venv", Path(sys.executable), [REPO / "src" / "handler", REPO / "src"], variables
    )
    return {
        "service": imports.alternate(service, ["PureCloudPlatformClientV2", "app"], args.import_rounds),
        "venv": imports.alternate(
            venv, ["PureCloudPlatformClientV2", "app"], max(3, args.import_rounds // 2)
        ),
        "seed": imports.alternate(seed, ["PureCloudPlatformClientV2"], args.seed_cold_starts),
    }


def _lambda_runs(
    python: Path,
    tasks: dict[str, Path],
    runtime_dir: Path,
    stack: Any,
    mount: bool,
    work: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    variables = stack.function_variables()
    event = stack.event

    def function(label: str, task: str, handler: str = "app.lambda_handler") -> harness.Function:
        return harness.Function(
            label,
            python,
            tasks[task],
            runtime_dir,
            variables,
            mount,
            log_file=work / f"{label}.log",
            handler=handler,
        )

    def counted(run: Any) -> tuple[harness.ColdStart, dict[str, int]]:
        before = {
            "token": stack.admin.count_requests("POST", "/oauth/token"),
            "api": stack.admin.count_requests(path_prefix="/api/v2"),
        }
        cold = run()
        after = {
            "token": stack.admin.count_requests("POST", "/oauth/token"),
            "api": stack.admin.count_requests(path_prefix="/api/v2"),
        }
        return cold, {key: after[key] - before[key] for key in before}

    with harness.runtime_api() as api:
        service = function("service", "service")
        cold_starts = [harness.cold_start(service, api, event, warm=20) for _ in range(args.cold_starts)]
        long_run, long_requests = counted(
            lambda: harness.cold_start(
                service, api, event, warm=max(MEMORY_CHECKPOINTS), checkpoints=MEMORY_CHECKPOINTS
            )
        )
        snapstart, snap_requests = counted(
            lambda: harness.cold_start(service, api, event, warm=20, snapstart=True)
        )
        arm64 = harness.cold_start(function("service-arm64", "service-arm64"), api, event, warm=20)
        seed_function = function("seed", "seed", handler="seed_baseline.lambda_handler")
        seed_runs = [
            harness.cold_start(seed_function, api, event, warm=20) for _ in range(args.seed_cold_starts)
        ]
        seed_long, seed_requests = counted(
            lambda: harness.cold_start(seed_function, api, event, warm=100, checkpoints=(10, 100))
        )
    return {
        "service": [_cold(c) for c in cold_starts],
        "service_long": _cold(long_run) | {"genesys_requests": long_requests},
        "snapstart": _cold(snapstart) | {"genesys_requests": snap_requests},
        "service_arm64": _cold(arm64),
        "seed": [_cold(c) for c in seed_runs],
        "seed_long": _cold(seed_long) | {"genesys_requests": seed_requests},
    }


def _cold(cold: harness.ColdStart) -> dict[str, Any]:
    return {
        "init_seconds": cold.init_seconds,
        "restore_seconds": cold.restore_seconds,
        "first_seconds": cold.first_seconds,
        "cold_total_seconds": cold.cold_total_seconds,
        "warm_seconds": cold.warm_seconds,
        "warm_median_seconds": statistics.median(cold.warm_seconds) if cold.warm_seconds else None,
        "samples": {name: vars(sample) for name, sample in cold.samples.items()},
        "errors": cold.errors,
        "xray_segments": cold.xray_segments,
        "bytecode_written": cold.bytecode_written,
        "first_status": cold.first_answer.get("statusCode") if isinstance(cold.first_answer, dict) else None,
    }


def _warm_latency(
    python: Path,
    tasks: dict[str, Path],
    runtime_dir: Path,
    emulator_url: str,
    work: Path,
    mode: str,
    variables: dict[str, str],
    pairs: int,
    outbox: bool = False,
) -> dict[str, Any]:
    task = tasks["service" if mode == "service" else "seed"]
    label = f"{mode}-outbox" if outbox else mode
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": f"{task}:{runtime_dir}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": "us-east-1",
        **variables,
    }
    command = [
        str(python),
        str(REPO / "bench" / "warm_latency.py"),
        "--mode",
        mode,
        "--event",
        str(EVENT_FILE),
        "--emulator",
        emulator_url,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--pairs",
        str(pairs),
        "--log-file",
        str(work / f"warm-{label}.log"),
        *(["--outbox"] if outbox else []),
    ]
    result = subprocess.run(
        command, cwd=task, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"warm latency ({label}) failed:\n{result.stderr[-3000:]}")
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def _targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    imports_ = results["imports"]["service"]
    sdk, app = _median(imports_["PureCloudPlatformClientV2"], "seconds"), _median(imports_["app"], "seconds")
    lean = all(run["sdk_load_mode"] == "lean" for run in imports_["app"])
    lam = results["lambda"]
    arm64_ok, host_ok = not results["artifact_arm64"]["problems"], not results["artifact_x86_64"]["problems"]
    service_runs = [*lam["service"], lam["service_long"], lam["snapstart"], lam["service_arm64"]]
    runs_ok = all(
        not run["errors"] and run["first_status"] == 200 and run["bytecode_written"] == 0
        for run in service_runs
    )
    template = results["template"]
    snap = lam["snapstart"]
    snap_ok = (
        template["snapstart"] == "PublishedVersions"
        and bool(template["auto_publish_alias"])
        and not snap["errors"]
    )
    warm = results["warm"]["service"]
    ratio = warm["ratio_handler_to_raw"]
    per_invocation = warm["genesys_requests_per_invocation"]
    samples = lam["service_long"]["samples"]
    growth = samples["warm_1000"]["rss_kib"] - samples["warm_10"]["rss_kib"]
    peak_growth = samples["warm_1000"]["peak_rss_kib"] - samples["warm_10"]["peak_rss_kib"]
    return [
        {
            "name": "1. Import: handler module vs `import PureCloudPlatformClientV2`",
            "figure": f"{app:.3f} s vs {sdk:.3f} s = {app / sdk:.0%} (SDK {'lean' if lean else 'NOT lean'})",
            "limit": f"at most {IMPORT_RATIO_LIMIT:.0%}",
            "result": _pass(app / sdk <= IMPORT_RATIO_LIMIT and lean),
        },
        {
            "name": "2. Built artifact: Lambda-ready, measured under awslambdaric",
            "figure": (
                f"arm64 package {'clean' if arm64_ok else 'HAS PROBLEMS'} "
                f"({results['artifact_arm64']['unzipped_bytes'] / 1e6:.1f} MB unzipped); init "
                f"{_median(lam['service'], 'init_seconds'):.3f} s, first invocation "
                f"{_median(lam['service'], 'first_seconds') * 1000:.0f} ms, warm "
                f"{statistics.median(r['warm_median_seconds'] for r in lam['service']) * 1000:.2f} ms"
            ),
            "limit": "unchecked-hash 3.13 bytecode, no watcher threads, nothing unneeded; runs read-only",
            "result": _pass(arm64_ok and host_ok and runs_ok),
        },
        {
            "name": "3. SnapStart: alias + PublishedVersions, restore hooks",
            "figure": (
                f"AutoPublishAlias={template['auto_publish_alias']}, SnapStart={template['snapstart']}; "
                f"awslambdaric snap-start flow {'ran the hooks cleanly' if not snap['errors'] else 'FAILED'}"
            ),
            "limit": "enabled; hooks drop connections and tokens (tests/unit/test_snapstart.py)",
            "result": _pass(snap_ok),
        },
        {
            "name": "4. Warm: API Gateway path vs raw urllib3 PATCH (same process)",
            "figure": (
                f"{warm['median_seconds']['handler'] * 1000:.3f} ms vs "
                f"{warm['median_seconds']['raw_patch'] * 1000:.3f} ms"
                f" = {ratio:.2f}x; {per_invocation:.2f} Genesys requests per invocation"
            ),
            "limit": f"at most {WARM_RATIO_LIMIT:.0f}x; one request per invocation",
            "result": _pass(ratio <= WARM_RATIO_LIMIT and abs(per_invocation - 1.0) < 1e-9),
        },
        {
            "name": "5. Memory: peak RSS after init and after 1,000 warm invocations",
            "figure": (
                f"after init {samples['init']['peak_rss_kib'] / 1024:.1f} MiB, after the first invocation "
                f"{samples['first']['peak_rss_kib'] / 1024:.1f} MiB, after 1,000 warm "
                f"{samples['warm_1000']['peak_rss_kib'] / 1024:.1f} MiB; "
                f"warm 10 -> 1,000: RSS {growth:+d} KiB, "
                f"peak {peak_growth:+d} KiB"
            ),
            "limit": f"no growth over warm invocations (at most {WARM_GROWTH_LIMIT_KIB} KiB, 10 to 1,000)",
            "result": _pass(max(growth, peak_growth) <= WARM_GROWTH_LIMIT_KIB),
        },
    ]


def _pass(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


if __name__ == "__main__":
    sys.exit(main())
