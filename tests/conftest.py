"""Shared test setup: a configured environment and fresh container state for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer
from localdev.outbox_resources import OutboxResources, create_outbox
from participant_data.container import dependencies
from participant_data.settings import load_settings


@pytest.fixture(autouse=True)
def _service_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GENESYS_SECRET_ID", "genesys/participant-data")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "GenesysParticipantDataTests")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    load_settings.cache_clear()
    dependencies.cache_clear()
    yield
    load_settings.cache_clear()
    dependencies.cache_clear()


@pytest.fixture
def lambda_context() -> LocalLambdaContext:
    return LocalLambdaContext(timeout_seconds=30)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto_server (Secrets Manager on loopback) for the whole run; each test uses its own secret."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def outbox_resources(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[OutboxResources]:
    """A new outbox (FIFO queue, dead-letter queue, pending-mark table) in the session's moto_server, with
    boto3 pointed at it (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_DYNAMODB). The service is not told about
    it: set `outbox_resources.environment()` for that."""
    resources = create_outbox(moto_server.url)
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", moto_server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server.url)
    yield resources
    resources.delete()
