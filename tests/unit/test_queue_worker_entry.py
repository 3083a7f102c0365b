"""`app.queue_worker`, the outbox worker's entry point: its answer to Lambda, its metrics, and a deployment
without an outbox (tests/integration/test_outbox_worker.py runs it over real HTTP)."""

from __future__ import annotations

import json

import pytest

import app
from localdev.lambda_context import LocalLambdaContext
from participant_data.errors import ConfigurationError
from participant_data.observability import MetricName
from participant_data.settings import load_settings
from participant_data.worker_container import NO_OUTBOX, WorkerDependencies
from tests.unit.worker_fakes import FakeMarks, FakeVisibility, FakeWorkerGenesys, queued, record, sqs_event

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def test_without_an_outbox_the_worker_raises_so_its_messages_come_back_and_its_errors_alarm(
    lambda_context: LocalLambdaContext,
) -> None:
    with pytest.raises(ConfigurationError, match="OUTBOX_QUEUE_URL"):
        app.queue_worker(sqs_event(record(queued(CONVERSATION, PARTICIPANT, {"a": "1"}))), lambda_context)
    assert "OUTBOX_TABLE_NAME" in NO_OUTBOX


def test_the_worker_answers_lambda_with_the_failed_messages_and_flushes_its_metrics(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lambda_context: LocalLambdaContext
) -> None:
    genesys = FakeWorkerGenesys()
    deps = WorkerDependencies(load_settings(), genesys, FakeMarks(), FakeVisibility())  # type: ignore[arg-type]
    monkeypatch.setattr("participant_data.handlers.queue_worker.worker_dependencies", lambda: deps)
    applied = record(queued(CONVERSATION, PARTICIPANT, {"a": "1"}))
    failing = record(queued(CONVERSATION, "customer", {"b": "2"}))
    genesys.errors = [None, ConfigurationError("broken")]

    answer = app.queue_worker(sqs_event(applied, failing), lambda_context)

    assert answer == {"batchItemFailures": [{"itemIdentifier": failing["messageId"]}]}
    flushed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [document.get(MetricName.OUTBOX_WRITES_APPLIED) for document in flushed] == [[1.0]]
