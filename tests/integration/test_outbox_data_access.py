"""The outbox's data access against SQS and DynamoDB served by moto_server, over real HTTP."""

from __future__ import annotations

import json
import time

import pytest

from localdev.outbox_resources import OutboxResources
from participant_data.container import build_outbox
from participant_data.deadline import Deadline
from participant_data.outbox import Outbox
from participant_data.outbox.messages import QueuedWrite
from participant_data.settings import Settings
from tests.events import CONVERSATION, PARTICIPANT

GROUP = f"{CONVERSATION}:{PARTICIPANT}"


@pytest.fixture
def outbox(outbox_resources: OutboxResources) -> Outbox:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s", **outbox_resources.environment()})
    built = build_outbox(settings)
    assert built is not None
    return built


def write(request_id: str = "req-1", **attributes: str) -> QueuedWrite:
    return QueuedWrite(CONVERSATION, PARTICIPANT, attributes or {"tier": "gold"}, time.time(), request_id)


def test_a_sent_write_is_one_message_in_its_participant_group(
    outbox: Outbox,
    outbox_resources: OutboxResources,
) -> None:
    queued = write(tier="gold", language="fr")

    outbox.queue.send(queued, Deadline(5))

    [message] = outbox_resources.receive()
    assert message["Attributes"]["MessageGroupId"] == GROUP
    assert message["Attributes"]["MessageDeduplicationId"] == "req-1"
    assert QueuedWrite.from_json(message["Body"]) == queued
    assert json.loads(message["Body"])["attributes"] == {"tier": "gold", "language": "fr"}


def test_a_repeated_send_of_one_invocation_is_stored_once_and_a_later_write_is_new(
    outbox: Outbox,
    outbox_resources: OutboxResources,
) -> None:
    outbox.queue.send(write("req-1"), Deadline(5))
    outbox.queue.send(write("req-1"), Deadline(5))  # a retried send (FIFO deduplication)
    outbox.queue.send(write("req-2"), Deadline(5))  # same content, a new write

    messages = outbox_resources.receive()
    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == ["req-1", "req-2"]


def test_a_mark_is_pending_until_its_last_write_clears_it(
    outbox: Outbox,
    outbox_resources: OutboxResources,
) -> None:
    assert outbox.marks.is_pending(GROUP, Deadline(5)) is False

    outbox.marks.mark(GROUP, "req-1", Deadline(5))
    outbox.marks.mark(GROUP, "req-2", Deadline(5))

    assert outbox.marks.is_pending(GROUP, Deadline(5)) is True
    item = outbox_resources.pending_mark(GROUP)
    assert item is not None
    assert item["lastRequestId"] == {"S": "req-2"}
    assert float(item["expiresAt"]["N"]) > time.time() + 3600  # the max age and a margin
    assert outbox.marks.clear_if_last(GROUP, "req-1") is False  # a newer write is still queued
    assert outbox.marks.is_pending(GROUP, Deadline(5)) is True
    assert outbox.marks.clear_if_last(GROUP, "req-2", Deadline(5)) is True
    assert outbox.marks.is_pending(GROUP, Deadline(5)) is False
    assert outbox.marks.clear_if_last(GROUP, "req-2") is False  # nothing left to clear
