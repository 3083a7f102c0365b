"""The local stand-ins the benchmark runs against: moto_server (Secrets Manager, and SQS and DynamoDB for
the outbox) and the Genesys Cloud emulator, each in its own process on loopback, seeded with one OAuth
client, one live conversation (the one events/api-gateway-rest.json names) and the secret the function
reads."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_emulator import EmulatorAdmin
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer
from localdev.outbox_resources import create_outbox
from localdev.processes import stop_process

REPO = Path(__file__).resolve().parents[1]
EVENT_FILE = REPO / "events" / "api-gateway-rest.json"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret-not-for-production"
SECRET_NAME = "genesys/participant-data/bench"  # noqa: S105 - a secret's name, not its value


@dataclass
class Stack:
    moto: MotoServer
    emulator_url: str
    admin: EmulatorAdmin
    event: dict[str, Any]

    def function_variables(self) -> dict[str, str]:
        """template.yaml's Environment for the function, pointed at the stand-ins."""
        return {
            **FAKE_AWS_ENVIRONMENT,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto.url,
            "GENESYS_SECRET_ID": SECRET_NAME,
            "REQUEST_BUDGET_SECONDS": "10",
            "POWERTOOLS_SERVICE_NAME": "genesys-participant-data",
            "POWERTOOLS_METRICS_NAMESPACE": "GenesysParticipantData",
            "LOG_LEVEL": "INFO",
        }

    def outbox_variables(self) -> dict[str, str]:
        """The function's variables with the outbox on: a fresh FIFO queue and pending-mark table in
        moto_server, made as `make demo` and the tests make them (localdev.outbox_resources)."""
        return self.function_variables() | create_outbox(self.moto.url).environment()


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    event: dict[str, Any] = json.loads(EVENT_FILE.read_text(encoding="utf-8"))
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "genesys_emulator",
            "--port",
            "0",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        stdout=subprocess.PIPE,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert emulator.stdout is not None
        base_url = json.loads(emulator.stdout.readline())["base_url"]
        admin = EmulatorAdmin(base_url)
        participant = event["pathParameters"]["participantId"]
        admin.create_conversation(
            [
                {"id": participant, "purpose": "customer", "attributes": {"language": "en-US"}},
                {"purpose": "ivr"},
            ],
            conversation_id=event["pathParameters"]["conversationId"],
        )
        with MotoServer() as moto:
            moto.put_genesys_secret(SECRET_NAME, CLIENT_ID, CLIENT_SECRET, base_url)
            yield Stack(moto, base_url, admin, event)
    finally:
        stop_process(emulator)
