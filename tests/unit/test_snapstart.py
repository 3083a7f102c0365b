"""SnapStart runtime hooks (participant_data/snapstart.py), run here the way the runtime runs them.

The main test crosses real sockets: the handler PATCHes emulator A with a secret read from moto_server,
the secret is then pointed at emulator B, and the hooks run as awslambdaric runs them around a snapshot
(before-snapshot hooks in reverse order of registration, after-restore hooks in order). Without the hooks,
the next invocation would reuse the cached secret, the token and the pooled connection to A.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import snapshot_restore_py

import app
from genesys_emulator import GenesysEmulator
from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer
from participant_data import snapstart
from participant_data.container import dependencies
from participant_data.deadline import Backoff
from participant_data.settings import load_settings
from tests.events import CONVERSATION, PARTICIPANT, api_event

CLIENT_ID, CLIENT_SECRET = "snapstart-client", "snapstart-secret-do-not-leak"
ESTABLISHED = "01"


def _run_hooks_as_the_runtime_does() -> None:
    """awslambdaric's lambda_runtime_hooks_runner, without emptying the registry for later tests."""
    for function, args, kwargs in reversed(list(snapshot_restore_py.get_before_snapshot())):
        function(*args, **kwargs)
    for function, args, kwargs in list(snapshot_restore_py.get_after_restore()):
        function(*args, **kwargs)


def _established_connections_to(port: int) -> int:
    """TCP connections this process holds open to `port` (from /proc: the sockets of our own fds)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == ESTABLISHED and fields[9] in inodes:
                count += 1
    return count


def test_the_hooks_are_registered_with_the_runtime() -> None:
    assert snapstart.HOOKS_REGISTERED is True
    assert snapstart.before_snapshot in [entry[0] for entry in snapshot_restore_py.get_before_snapshot()]
    assert snapstart.after_restore in [entry[0] for entry in snapshot_restore_py.get_after_restore()]
    assert "participant_data.snapstart" in sys.modules  # imported by app.py, as Lambda requires


def test_without_snapshot_restore_py_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # makes the import fail
    assert snapstart.register() is False


def test_environments_restored_from_one_snapshot_draw_different_retry_jitter() -> None:
    """Every environment resumes with the snapshot's `random` state: without a reseed from fresh entropy
    they would all draw the same jitter, and merely advancing the shared state would not help either."""
    random.seed(1234)
    snapshot_state = random.getstate()

    def jitter_after_a_restore(hook: Callable[[], None]) -> list[float]:
        random.setstate(snapshot_state)  # a new environment, resumed from the snapshot
        hook()
        return [Backoff().delay(attempt) for attempt in range(8)]

    first, second = (jitter_after_a_restore(snapstart.after_restore) for _ in range(2))
    without_the_hook = jitter_after_a_restore(lambda: None)

    assert first != second
    assert without_the_hook not in (first, second)


def test_the_hooks_do_nothing_when_the_service_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENESYS_SECRET_ID")
    load_settings.cache_clear()
    dependencies.cache_clear()
    _run_hooks_as_the_runtime_does()  # no ConfigurationError escapes into the runtime


@pytest.fixture
def stack(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[MotoServer, GenesysEmulator, GenesysEmulator, str]]:
    participants = [{"id": PARTICIPANT, "purpose": "customer"}, {"purpose": "agent"}]
    with MotoServer() as moto, GenesysEmulator() as before, GenesysEmulator() as after:
        for emulator in (before, after):
            emulator.add_client(CLIENT_ID, CLIENT_SECRET)
            emulator.create_conversation(participants, conversation_id=CONVERSATION)
        secret_name = f"genesys/participant-data/{uuid.uuid4()}"
        moto.put_genesys_secret(secret_name, CLIENT_ID, CLIENT_SECRET, before.base_url)
        for name, value in FAKE_AWS_ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.url)
        monkeypatch.setenv("GENESYS_SECRET_ID", secret_name)
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        load_settings.cache_clear()
        dependencies.cache_clear()
        yield moto, before, after, secret_name


@pytest.mark.integration
def test_after_a_restore_nothing_made_before_the_snapshot_is_reused(
    stack: tuple[MotoServer, GenesysEmulator, GenesysEmulator, str],
) -> None:
    moto, before, after, secret_name = stack
    body = {"attributes": {"ivr_choice": "billing"}}

    first = app.lambda_handler(api_event(body=body), LocalLambdaContext(timeout_seconds=15))
    assert first["statusCode"] == 200, first
    assert before.count_requests("POST", "/oauth/token") == 1
    assert _established_connections_to(before.port) == 1  # pooled, kept for the next invocation

    # While the snapshot sleeps, the secret changes (here: another Genesys region, emulator B).
    moto.put_genesys_secret(secret_name, CLIENT_ID, CLIENT_SECRET, after.base_url)
    _run_hooks_as_the_runtime_does()

    second = app.lambda_handler(
        api_event(body={"attributes": {"ivr_choice": "sales"}}), LocalLambdaContext(timeout_seconds=15)
    )
    assert second["statusCode"] == 200, second
    # The secret was read again (the PATCH went to B), with a token B issued, over a new connection.
    assert after.participant_attributes(CONVERSATION, PARTICIPANT) == {"ivr_choice": "sales"}
    assert [(r.method, r.path.split("/")[-1], r.status) for r in after.requests] == [
        ("POST", "token", 200),
        ("PATCH", "attributes", 202),
    ]
    assert after.requests[1].token in after.issued_tokens
    assert before.participant_attributes(CONVERSATION, PARTICIPANT) == {"ivr_choice": "billing"}
    assert before.count_requests() == 2  # nothing more went to A
    assert json.loads(second["body"])["updatedKeys"] == ["ivr_choice"]
    gc.collect()
    assert _established_connections_to(before.port) == 0  # the pre-snapshot socket is gone


@pytest.mark.integration
def test_the_hooks_close_pooled_sockets_at_once(
    stack: tuple[MotoServer, GenesysEmulator, GenesysEmulator, str],
) -> None:
    _, before, _, _ = stack
    answer = app.lambda_handler(
        api_event(body={"attributes": {"a": "b"}}), LocalLambdaContext(timeout_seconds=15)
    )
    assert answer["statusCode"] == 200, answer
    assert _established_connections_to(before.port) == 1
    _run_hooks_as_the_runtime_does()
    gc.collect()
    assert _established_connections_to(before.port) == 0


def test_the_hooks_drop_the_outbox_clients_when_an_outbox_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The outbox's SQS and DynamoDB clients are per environment too: a restore must not reuse them."""
    monkeypatch.setenv("OUTBOX_QUEUE_URL", "http://127.0.0.1:1/000000000000/outbox.fifo")
    monkeypatch.setenv("OUTBOX_TABLE_NAME", "pending-writes")
    load_settings.cache_clear()
    dependencies.cache_clear()
    outbox = dependencies().outbox
    assert outbox is not None
    forgotten: list[str] = []
    monkeypatch.setattr(type(outbox.queue), "forget", lambda self: forgotten.append("queue"))
    monkeypatch.setattr(type(outbox.marks), "forget", lambda self: forgotten.append("marks"))

    _run_hooks_as_the_runtime_does()

    # Once before the snapshot, once after the restore.
    assert forgotten == ["queue", "marks", "queue", "marks"]
