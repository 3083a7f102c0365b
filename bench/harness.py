"""Runs a deployment package the way Lambda runs it: the real runtime interface client (awslambdaric)
against bench/runtime_api.py, the package read-only, in a fresh process per cold start.

- The package is copied to a task folder with every file stamped 1980-01-01, as SAM's zip leaves them
  on Lambda, and mounted read-only (a bind mount in a private mount namespace, `unshare -m`): as on
  Lambda, nothing can write bytecode next to the sources. Where that is not allowed, the copy is made
  non-writable and PYTHONDONTWRITEBYTECODE is set instead, and the report says so.
- The interpreter is the base Python 3.13 (no virtualenv). sys.path is the task folder, then a folder
  standing in for the managed runtime's own libraries: awslambdaric, snapshot_restore_py, boto3 and
  botocore (with s3transfer, jmespath, dateutil, six, urllib3 behind the package's own copies), linked
  from the project's .venv.
- The environment is the one Lambda gives (AWS_LAMBDA_*, LAMBDA_TASK_ROOT, AWS_EXECUTION_ENV, _HANDLER,
  ...) plus the function's variables from template.yaml; X-Ray tracing is on (the Runtime API sends a
  sampled trace header) and segments go to a UDP sink on loopback, as they go to the X-Ray daemon.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.runtime_api import RuntimeApi
from localdev.processes import stop_process

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the mtime SAM's zip leaves on every file
# The managed runtime's own libraries, as module or package names in the .venv's site-packages.
RUNTIME_LIBRARIES = (
    "awslambdaric",
    "runtime_client",
    "simplejson",
    "snapshot_restore_py",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "six",
    "urllib3",
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def runtime_libraries(site_packages: Path, target: Path) -> Path:
    """A folder of links to the runtime's libraries (and their dist-info) in `site_packages`."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in RUNTIME_LIBRARIES:
        matches = [p for p in site_packages.iterdir() if p.name == name or p.name.startswith(name + ".")]
        matches += list(site_packages.glob(f"{name}-*.dist-info"))
        if not matches:
            raise FileNotFoundError(f"{name} is not installed in {site_packages}")
        for match in matches:
            (target / match.name).symlink_to(match)
    return target


def prepare_task(package: Path, target: Path) -> Path:
    """A copy of the package with every file's mtime set to 1980-01-01 (as the zip leaves it)."""
    if target.exists():
        _make_writable(target)
        shutil.rmtree(target)
    shutil.copytree(package, target, symlinks=True)
    for directory, _, names in os.walk(target):
        for name in names:
            os.utime(Path(directory) / name, (ZIP_EPOCH, ZIP_EPOCH), follow_symlinks=False)
    return target


def _make_writable(root: Path) -> None:
    for directory, _, names in os.walk(root):
        os.chmod(directory, 0o755)  # noqa: S103 - our own work folder
        for name in names:
            path = Path(directory) / name
            if not path.is_symlink():
                os.chmod(path, 0o644)


def read_only_mount_available() -> bool:
    """Whether `unshare -m` + a read-only bind mount works here (root in a sandbox may not have it)."""
    probe = Path(tempfile.gettempdir()) / f"bench-ro-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        script = 'mount --bind -o ro "$0" "$0" && ! touch "$0/x" 2>/dev/null'
        result = subprocess.run(
            ["unshare", "-m", "sh", "-c", script, str(probe)], capture_output=True, timeout=10, check=False
        )
        return result.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def read_only_command(task: Path, command: Sequence[str], mount: bool) -> list[str]:
    """`command`, run with `task` read-only: a bind mount if `mount`, else just non-writable files."""
    if mount:
        return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(task), *command]
    for directory, _, names in os.walk(task):
        os.chmod(directory, 0o555)  # noqa: S103 - read-only on purpose
        for name in names:
            path = Path(directory) / name
            if not path.is_symlink():
                os.chmod(path, 0o444)
    return list(command)


class XRaySink:
    """A UDP socket on loopback standing in for the X-Ray daemon: counts the segments it receives."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.segments = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, name="xray-sink", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self._socket.recv(65536)
                self.segments += 1
            except TimeoutError:
                continue
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._socket.close()


def lambda_environment(
    task: Path,
    runtime_dir: Path,
    runtime_api: str,
    function_variables: Mapping[str, str],
    *,
    memory_mb: int,
    xray_address: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment Lambda gives a python3.13 function, plus the function's own variables."""
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": f"{task}:{runtime_dir}",
        "LAMBDA_TASK_ROOT": str(task),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "_HANDLER": "app.lambda_handler",
        "AWS_LAMBDA_FUNCTION_NAME": "genesys-participant-data-bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/genesys-participant-data-bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[1]bench",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_XRAY_DAEMON_ADDRESS": xray_address,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_AWS_XRAY_DAEMON_ADDRESS": xray_address.split(":")[0],
        "_AWS_XRAY_DAEMON_PORT": xray_address.split(":")[1],
    }
    environment.update(function_variables)
    environment.update(extra or {})
    return environment


@dataclass
class ProcessSample:
    """One reading of the function process: resident and peak memory, CPU seconds used so far."""

    rss_kib: int
    peak_rss_kib: int
    cpu_seconds: float

    @classmethod
    def of(cls, pid: int) -> ProcessSample:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime = int(stat[11]), int(stat[12])
        return cls(
            rss_kib=int(fields["VmRSS"].split()[0]),
            peak_rss_kib=int(fields["VmHWM"].split()[0]),
            cpu_seconds=(utime + stime) / CLOCK_TICKS,
        )


@dataclass
class ColdStart:
    """One function process: its init, first invocation, warm invocations and memory over time."""

    label: str
    init_seconds: float
    first_seconds: float
    warm_seconds: list[float]
    samples: dict[str, ProcessSample]
    first_answer: Any
    restore_seconds: float | None = None
    errors: list[str] = field(default_factory=list)
    xray_segments: int = 0
    bytecode_written: int = 0

    @property
    def cold_total_seconds(self) -> float:
        return self.init_seconds + (self.restore_seconds or 0.0) + self.first_seconds


@dataclass
class Function:
    """How to start one package under awslambdaric."""

    label: str
    python: Path
    task: Path
    runtime_dir: Path
    variables: dict[str, str]
    read_only_mount: bool
    memory_mb: int = 512
    log_file: Path | None = None
    handler: str = "app.lambda_handler"


def cold_start(
    function: Function,
    api: RuntimeApi,
    event: Any,
    *,
    warm: int,
    checkpoints: Sequence[int] = (),
    snapstart: bool = False,
    init_timeout: float = 120.0,
) -> ColdStart:
    """Start the function process, wait for init, invoke it 1 + `warm` times, stop it.

    `checkpoints` are warm-invocation counts after which the process's memory is read. With `snapstart`,
    the runtime is told it initializes for a snapshot: it runs the before-snapshot hooks, asks for a
    restore, and runs the after-restore hooks once the restore is released.
    """
    api.reset()
    sink = XRaySink()
    extra = {"_HANDLER": function.handler}
    if snapstart:
        extra["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
    if not function.read_only_mount:
        extra["PYTHONDONTWRITEBYTECODE"] = "1"
    environment = lambda_environment(
        function.task,
        function.runtime_dir,
        api.address,
        function.variables,
        memory_mb=function.memory_mb,
        xray_address=sink.address,
        extra=extra,
    )
    command = read_only_command(
        function.task,
        [str(function.python), "-m", "awslambdaric", function.handler],
        function.read_only_mount,
    )
    files_before = _count_files(function.task)
    log = open(function.log_file or os.devnull, "ab")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=function.task, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    samples: dict[str, ProcessSample] = {}
    errors: list[str] = []
    restore_seconds = None
    try:
        if snapstart:
            init_done = api.wait_for_restore_poll(init_timeout)
            samples["snapshot"] = ProcessSample.of(process.pid)
            released = time.perf_counter()
            api.release_restore()
            restore_seconds = api.wait_for_init(30) - released
            if api.restore_error:
                errors.append(f"restore error: {api.restore_error}")
        else:
            init_done = api.wait_for_init(init_timeout)
        if api.init_error:
            raise RuntimeError(f"{function.label}: init failed: {api.init_error}")
        samples["init"] = ProcessSample.of(process.pid)
        first = api.invoke(event)
        samples["first"] = ProcessSample.of(process.pid)
        errors += _errors(first)
        warm_seconds = []
        for count in range(1, warm + 1):
            invocation = api.invoke(event)
            warm_seconds.append(invocation.seconds)
            errors += _errors(invocation)
            if count in checkpoints:
                samples[f"warm_{count}"] = ProcessSample.of(process.pid)
        samples["end"] = ProcessSample.of(process.pid)
    finally:
        stop_process(process)
        log.close()
        sink.close()
    return ColdStart(
        label=function.label,
        init_seconds=init_done - started,
        first_seconds=first.seconds,
        warm_seconds=warm_seconds,
        samples=samples,
        first_answer=first.result,
        restore_seconds=restore_seconds,
        errors=errors,
        xray_segments=sink.segments,
        bytecode_written=_count_files(function.task) - files_before,
    )


def _errors(invocation: Any) -> list[str]:
    if invocation.error is not None:
        return [f"invocation error: {invocation.error}"]
    status = invocation.result.get("statusCode") if isinstance(invocation.result, dict) else None
    return [] if status == 200 else [f"unexpected answer: {invocation.result}"]


def _count_files(root: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(root))


@contextlib.contextmanager
def runtime_api() -> Iterator[RuntimeApi]:
    with RuntimeApi() as api:
        yield api
