"""Integration fixtures: the real handler, boto3 against moto_server and the SDK against the emulator,
over real loopback sockets. Both servers are started here and stopped afterwards."""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import app
from genesys_emulator import GenesysEmulator
from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer
from participant_data.container import dependencies
from participant_data.observability import logger
from participant_data.settings import load_settings
from tests.events import CONVERSATION, PARTICIPANT

CLIENT_ID = "participant-data-client"
CLIENT_SECRET = "client-secret-Zx81-do-not-leak"
AGENT = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


@dataclass
class LocalStack:
    """The service wired to a fresh emulator and its own secret in moto_server."""

    emulator: GenesysEmulator
    moto: MotoServer
    secret_name: str
    monkeypatch: pytest.MonkeyPatch
    timings: list[float] = field(default_factory=list)

    def configure(self, **settings: str) -> None:
        """Set service environment variables, as a new deployment would (the container starts cold)."""
        for name, value in settings.items():
            self.monkeypatch.setenv(name, value)
        load_settings.cache_clear()
        dependencies.cache_clear()

    def invoke(self, event: dict[str, Any], timeout_seconds: float = 15.0) -> Any:
        """Call the real Lambda handler as Lambda would, recording how long it took."""
        started = time.monotonic()
        try:
            return app.lambda_handler(event, LocalLambdaContext(timeout_seconds=timeout_seconds))
        finally:
            self.timings.append(time.monotonic() - started)

    @property
    def last_duration(self) -> float:
        return self.timings[-1]

    def service_environment(self) -> dict[str, str]:
        """The variables a child process needs to run the service against this stack (a new container)."""
        names = (
            "GENESYS_SECRET_ID",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER",
            "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "POWERTOOLS_METRICS_NAMESPACE",
        )
        return {name: os.environ[name] for name in names}

    def rotate_secret(self, new_secret: str) -> None:
        """Rotate the client secret in Genesys and in Secrets Manager, as an operator would."""
        self.emulator.rotate_client_secret(CLIENT_ID, new_secret)
        self.moto.put_genesys_secret(self.secret_name, CLIENT_ID, new_secret, self.emulator.base_url)

    def attributes(self, participant: str = PARTICIPANT) -> dict[str, str]:
        return self.emulator.participant_attributes(CONVERSATION, participant)

    def requests(self, method: str | None = None, path_prefix: str | None = None) -> int:
        return self.emulator.count_requests(method=method, path_prefix=path_prefix)

    def token_requests(self) -> int:
        return self.requests("POST", "/oauth/token")

    def patches(self) -> int:
        return self.requests("PATCH", "/api/v2/conversations")


@pytest.fixture
def stack(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    with GenesysEmulator() as emulator:
        emulator.add_client(CLIENT_ID, CLIENT_SECRET)
        emulator.create_conversation(
            [
                {"id": PARTICIPANT, "purpose": "customer", "attributes": {"existing": "kept"}},
                {"id": AGENT, "purpose": "agent"},
            ],
            conversation_id=CONVERSATION,
        )
        secret_name = f"genesys/participant-data/{uuid.uuid4()}"
        moto_server.put_genesys_secret(secret_name, CLIENT_ID, CLIENT_SECRET, emulator.base_url)
        for name, value in FAKE_AWS_ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        local = LocalStack(emulator, moto_server, secret_name, monkeypatch)
        local.configure(AWS_ENDPOINT_URL_SECRETS_MANAGER=moto_server.url, GENESYS_SECRET_ID=secret_name)
        yield local


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the service logs during the test (Powertools writes JSON lines to one stream)."""
    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
