"""Warm latency in one process: the handler through the API Gateway path vs a raw urllib3 PATCH.

Run by bench/run.py as a script in a fresh process whose sys.path is the built artifact (then the runtime's
libraries), configured like the function (GENESYS_SECRET_ID, moto_server for Secrets Manager, the emulator
as the Genesys region). It prints one JSON document on its last stdout line.

- `service` mode: `app.lambda_handler` with events/api-gateway-rest.json (parsed from its JSON text on every
  call, as the runtime does), the service's Genesys layer alone (`GenesysGateway.set_attributes`), and a raw
  urllib3 PATCH of the same body to the same emulator with a token of its own, interleaved in one loop.
- `service` mode with `--outbox` (the function's variables then name an outbox in moto_server): the same,
  plus the pending-mark read alone (`PendingMarks.is_pending`, the strongly consistent GetItem every write
  makes first) and a plain boto3 GetItem of the same item, for what the service's client adds.
- `seed` mode: the seed-style baseline (bench/seed_baseline.py) against the same raw PATCH.

Besides wall time, every sample records this process's CPU time: what the client side costs (botocore's
request building and signing, the SDK, Powertools), as against waiting for the server, which on loopback
is moto_server's or the emulator's Python, not AWS's or Genesys's. TCP connections opened per call are
counted in an untimed pass.

Everything the handler writes to stdout (log lines, EMF metrics) goes to a file, as it goes to a pipe on
Lambda. X-Ray is off here (not in Lambda); the awslambdaric harness runs with tracing on.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import urllib3


class Context:
    """The Lambda context fields the service and Powertools read."""

    function_name = "genesys-participant-data-bench"
    function_version = "1"
    memory_limit_in_mb = 512
    invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:genesys-participant-data-bench:live"
    )
    log_group_name = "/aws/lambda/genesys-participant-data-bench"
    log_stream_name = "bench"

    def __init__(self, timeout_seconds: float = 27.0) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["service", "seed"], required=True)
    parser.add_argument("--event", required=True, help="events/api-gateway-rest.json")
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--log-file", required=True)
    parser.add_argument(
        "--outbox", action="store_true", help="service mode, outbox configured: time the mark read too"
    )
    args = parser.parse_args()

    raw_event = open(args.event, encoding="utf-8").read()  # noqa: SIM115 - read once
    event = json.loads(raw_event)
    conversation_id = event["pathParameters"]["conversationId"]
    participant_id = event["pathParameters"]["participantId"]
    attributes = {key: _as_text(value) for key, value in json.loads(event["body"])["attributes"].items()}
    body = json.dumps({"attributes": attributes}).encode()

    pool = urllib3.PoolManager(retries=False)
    token = _token(pool, args.emulator, args.client_id, args.client_secret)
    url = f"{args.emulator}/api/v2/conversations/{conversation_id}/participants/{participant_id}/attributes"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def raw_patch() -> None:
        answer = pool.request("PATCH", url, body=body, headers=headers)
        if answer.status != 202:
            raise RuntimeError(f"raw PATCH answered {answer.status}")

    log = open(args.log_file, "a", encoding="utf-8")  # noqa: SIM115 - stdout stays redirected to it
    saved_stdout = os.dup(1)
    sys.stdout.flush()
    os.dup2(log.fileno(), 1)
    try:
        module = importlib.import_module("app" if args.mode == "service" else "seed_baseline")
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = module.lambda_handler

        def invoke() -> None:
            answer = handler(json.loads(raw_event), Context())
            if answer.get("statusCode") != 200:
                raise RuntimeError(f"handler answered {answer}")

        probes: dict[str, Callable[[], None]] = {"handler": invoke, "raw_patch": raw_patch}
        if args.mode == "service":
            probes["genesys_layer"] = _genesys_layer(conversation_id, participant_id, attributes)
        if args.outbox:
            probes |= _mark_reads(conversation_id, participant_id)
        first, _ = _timed(invoke)
        samples, cpu_samples = _interleaved(probes, args.warmup, args.pairs)
        per_invocation = _requests_per_invocation(pool, args.emulator, invoke, 100)
        connections = _connections_per_call(probes, 50)
    finally:
        sys.stdout.flush()
        os.dup2(saved_stdout, 1)
        log.close()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    result = {
        "mode": args.mode,
        "outbox": args.outbox,
        "pairs": args.pairs,
        "first_invocation_seconds": first,
        "samples_seconds": samples,
        "median_seconds": medians,
        "p90_seconds": {name: _quantile(values, 0.9) for name, values in samples.items()},
        "p99_seconds": {name: _quantile(values, 0.99) for name, values in samples.items()},
        "cpu_median_seconds": {name: statistics.median(values) for name, values in cpu_samples.items()},
        "ratio_handler_to_raw": medians["handler"] / medians["raw_patch"],
        "genesys_requests_per_invocation": per_invocation,
        "connections_per_call": connections,
        "sdk_load_mode": _sdk_load_mode(),
    }
    print(json.dumps(result))
    return 0


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _token(pool: urllib3.PoolManager, base_url: str, client_id: str, client_secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    answer = pool.request(
        "POST",
        f"{base_url}/oauth/token",
        body="grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    token: str = json.loads(answer.data)["access_token"]
    return token


def _genesys_layer(
    conversation_id: str, participant_id: str, attributes: dict[str, str]
) -> Callable[[], None]:
    """The service's Genesys layer alone: secret and token cached, SDK, deadline-bound transport."""
    from participant_data.container import dependencies
    from participant_data.deadline import Deadline

    gateway = dependencies().genesys

    def call() -> None:
        gateway.set_attributes(conversation_id, participant_id, attributes, Deadline(10.0))

    return call


def _mark_reads(conversation_id: str, participant_id: str) -> dict[str, Callable[[], None]]:
    """The pending-mark read as every write makes it (the service's deadline-bound client, one attempt),
    and a plain boto3 GetItem of the same item (default client, same endpoint and read)."""
    import boto3

    from participant_data.container import dependencies
    from participant_data.deadline import Deadline
    from participant_data.outbox.messages import participant_group

    outbox = dependencies().outbox
    if outbox is None:
        raise RuntimeError("--outbox: OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME are not set")
    marks, group = outbox.marks, participant_group(conversation_id, participant_id)
    dynamodb = boto3.client("dynamodb")
    key = {"pk": {"S": group}}

    def mark_read() -> None:
        if marks.is_pending(group, Deadline(10.0)):
            raise RuntimeError("the bench's participant has a pending mark: its writes would be queued")

    def raw_get_item() -> None:
        dynamodb.get_item(TableName=marks.table_name, Key=key, ConsistentRead=True)

    return {"mark_read": mark_read, "raw_get_item": raw_get_item}


def _timed(probe: Callable[[], None]) -> tuple[float, float]:
    """Wall time and this process's CPU time of one call."""
    started, cpu_started = time.perf_counter(), time.process_time()
    probe()
    return time.perf_counter() - started, time.process_time() - cpu_started


def _interleaved(
    probes: dict[str, Callable[[], None]], warmup: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each probe once per round, in turn, so that drifts of the machine touch them all alike: wall
    and CPU samples."""
    for _ in range(warmup):
        for probe in probes.values():
            probe()
    samples: dict[str, list[float]] = {name: [] for name in probes}
    cpu_samples: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(rounds):
        for name, probe in probes.items():
            wall, cpu = _timed(probe)
            samples[name].append(wall)
            cpu_samples[name].append(cpu)
    return samples, cpu_samples


def _connections_per_call(probes: dict[str, Callable[[], None]], count: int) -> dict[str, float]:
    """TCP connections each probe opens per call (untimed). urllib3 (under botocore and the service's
    transport alike) opens every connection through urllib3.util.connection.create_connection; a server
    that closes its connection after each answer costs a new one per request."""
    import urllib3.util.connection as connection

    opened = 0
    original = connection.create_connection

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal opened
        opened += 1
        return original(*args, **kwargs)

    connection.create_connection = counting
    try:
        per_call = {}
        for name, probe in probes.items():
            before = opened
            for _ in range(count):
                probe()
            per_call[name] = (opened - before) / count
    finally:
        connection.create_connection = original
    return per_call


def _requests_per_invocation(
    pool: urllib3.PoolManager, base_url: str, invoke: Callable[[], None], count: int
) -> float:
    """Genesys requests (token requests included) the emulator recorded per warm invocation."""

    def recorded() -> int:
        answer = pool.request("GET", f"{base_url}/_emulator/requests/count")
        return int(json.loads(answer.data)["count"])

    before = recorded()
    for _ in range(count):
        invoke()
    return (recorded() - before) / count  # the emulator does not record its admin requests


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _sdk_load_mode() -> str | None:
    module = sys.modules.get("participant_data.genesys.sdk")
    return getattr(module, "LOAD_MODE", None) if module else "plain (seed)"


if __name__ == "__main__":
    sys.exit(main())
