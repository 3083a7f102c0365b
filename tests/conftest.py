"""Shared test setup: a configured environment and fresh container state for every test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from participant_data.container import dependencies
from participant_data.settings import load_settings


@dataclass
class FakeLambdaContext:
    """The parts of the Lambda context the service uses."""

    remaining_ms: int = 30_000
    function_name: str = "participant-data"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:participant-data"
    aws_request_id: str = "11111111-2222-3333-4444-555555555555"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


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
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
