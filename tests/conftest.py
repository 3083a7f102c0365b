"""Shared test setup: a configured environment and fresh container state for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import MotoServer
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
