"""`participant-data pending` and `backlog` as operators run them (a child process), against the outbox's
queue and table in moto_server, while the real handler queues a write during an emulated Genesys outage and
the worker applies it. They read AWS only: no Genesys credentials are given, and none is used."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import app
from genesys_emulator import Fault
from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import LOOPBACK, free_port
from localdev.outbox_resources import OutboxResources
from localdev.queue_events import deliver_batch
from localdev.stack import LocalStack
from operator_cli.parser import parse
from participant_data.container import dependencies
from participant_data.settings import load_settings
from tests.cli.runner import Cli

pytestmark = pytest.mark.integration

REQUEST_ID = "5d0c9a8e-queued-during-the-outage"


@pytest.fixture
def outbox(
    stack: LocalStack, outbox_resources: OutboxResources, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OutboxResources]:
    """The in-process service (the stack's) with the outbox, and a short budget for the outage."""
    for name, value in {**outbox_resources.environment(), "REQUEST_BUDGET_SECONDS": "3"}.items():
        monkeypatch.setenv(name, value)
    load_settings.cache_clear()
    dependencies.cache_clear()
    yield outbox_resources
    load_settings.cache_clear()
    dependencies.cache_clear()


def queue_a_write(stack: LocalStack) -> None:
    """The flow writes while Genesys is down: the write is answered `queued`."""
    stack.genesys.inject_fault(Fault(status=503, count=1000, method="PATCH"))
    event = {
        "conversationId": stack.conversation_id,
        "participantId": "customer",
        "attributes": {"tier": "gold"},
    }
    answer = app.lambda_handler(event, LocalLambdaContext(aws_request_id=REQUEST_ID))
    assert answer["queued"] is True
    stack.genesys.clear_faults()


def run(cli: Cli, outbox: OutboxResources, *arguments: str) -> Any:
    """The command's JSON document (it must succeed)."""
    done = cli.run("--json", *arguments, credentials=None, extra_environment=outbox.environment())
    assert done.exit_code == 0, done.stderr
    return done.json()


def test_pending_and_backlog_follow_a_write_from_queued_to_applied(
    cli: Cli, stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_a_write(stack)
    genesys_requests = len(stack.genesys.requests)

    pending = run(cli, outbox, "pending", stack.conversation_id, "customer")
    waiting = run(cli, outbox, "backlog")
    # The table is all `pending` needs (the service itself wants the queue and the table together).
    table_only = {
        name: outbox.environment()[name] for name in ("OUTBOX_TABLE_NAME", "AWS_ENDPOINT_URL_DYNAMODB")
    }
    text = cli.run(
        "pending", stack.conversation_id, "customer", credentials=None, extra_environment=table_only
    )

    assert pending["pending"] is True
    [mark] = pending["marks"]
    assert (mark["participantId"], mark["pending"], mark["lastRequestId"]) == ("customer", True, REQUEST_ID)
    expires_at = datetime.strptime(mark["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires_at.timestamp() > time.time() + 3600  # the max age (and a margin): it heals by itself
    assert waiting["waiting"] == 1
    assert waiting["inFlight"] == 0
    assert waiting["deadLetter"] == {"queueUrl": outbox.dead_letter_queue_url, "waiting": 0, "inFlight": 0}
    assert "writes are waiting in the outbox" in text.stdout
    assert "SQS cannot list one participant's queued writes" in text.stdout
    assert len(stack.genesys.requests) == genesys_requests  # AWS only: nothing reached Genesys

    delivery = deliver_batch(outbox, app.queue_worker)
    assert delivery is not None
    assert delivery.failed == ()
    assert stack.customer_attributes()["tier"] == "gold"

    assert run(cli, outbox, "pending", stack.conversation_id, "customer")["pending"] is False
    assert run(cli, outbox, "backlog")["waiting"] == 0


def test_pending_for_a_uuid_also_shows_the_conversations_customer_mark(
    cli: Cli, stack: LocalStack, outbox: OutboxResources
) -> None:
    queue_a_write(stack)  # queued for `customer`: resolved when applied, maybe to this very participant

    shown = run(cli, outbox, "pending", stack.conversation_id, stack.customer_id.upper())

    assert shown["pending"] is False  # nothing queued under the UUID itself
    assert [(m["participantId"], m["pending"]) for m in shown["marks"]] == [
        (stack.customer_id, False),
        ("customer", True),
    ]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [(["pending", "CONVERSATION", "customer"], "OUTBOX_TABLE_NAME"), (["backlog"], "OUTBOX_QUEUE_URL")],
)
def test_without_the_outbox_named_the_command_exits_6_saying_what_to_set(
    cli: Cli, stack: LocalStack, arguments: list[str], named: str
) -> None:
    arguments = [stack.conversation_id if a == "CONVERSATION" else a for a in arguments]

    done = cli.run("--json", *arguments, credentials=None)

    assert done.exit_code == 6
    assert named in done.json()["message"]


def test_a_table_or_queue_that_does_not_exist_exits_6(
    cli: Cli, stack: LocalStack, outbox: OutboxResources
) -> None:
    environment = outbox.environment()
    missing_table = cli.run(
        "pending",
        stack.conversation_id,
        "customer",
        "--table",
        "no-such-table",
        credentials=None,
        extra_environment=environment,
    )
    missing_queue = cli.run(
        "backlog",
        "--queue-url",
        f"{outbox.endpoint_url}/123456789012/no-such-queue.fifo",
        credentials=None,
        extra_environment=environment,
    )

    assert (missing_table.exit_code, missing_queue.exit_code) == (6, 6)
    assert "The pending-mark table 'no-such-table' does not exist" in missing_table.stderr
    assert "no-such-queue.fifo does not exist" in missing_queue.stderr


def test_aws_unreachable_exits_5_within_the_timeout(
    cli: Cli, stack: LocalStack, outbox: OutboxResources
) -> None:
    closed = f"http://{LOOPBACK}:{free_port()}"
    environment = {**outbox.environment(), "AWS_ENDPOINT_URL_DYNAMODB": closed}

    done = cli.run(
        "--json",
        "--timeout",
        "3",
        "pending",
        stack.conversation_id,
        "customer",
        credentials=None,
        extra_environment=environment,
    )

    assert done.exit_code == 5
    assert done.json()["code"] == "upstream_unavailable"


def test_an_invalid_conversation_id_exits_2_before_any_aws_call(cli: Cli, outbox: OutboxResources) -> None:
    closed = f"http://{LOOPBACK}:{free_port()}"  # a call would fail differently (exit 5)

    done = cli.run(
        "pending",
        "not-a-uuid",
        "customer",
        credentials=None,
        extra_environment={**outbox.environment(), "AWS_ENDPOINT_URL_DYNAMODB": closed},
    )

    assert done.exit_code == 2


def test_the_commands_parse_their_options() -> None:
    pending = parse(["pending", "c", "customer", "--table", "t"])
    backlog = parse(["backlog", "--queue-url", "u", "--json"])

    assert (pending.conversation_id, pending.participant_id, pending.table) == ("c", "customer", "t")
    assert (backlog.queue_url, backlog.json) == ("u", True)
    assert parse(["backlog"]).queue_url is None
