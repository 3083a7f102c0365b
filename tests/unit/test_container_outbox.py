"""The container builds the outbox only when configured, and no AWS client until one is used."""

from __future__ import annotations

from typing import Any

from participant_data.container import build_dependencies, build_outbox
from participant_data.deadline import Deadline
from participant_data.settings import Settings

OUTBOX = {
    "GENESYS_SECRET_ID": "s",
    "OUTBOX_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/participant-data-outbox.fifo",
    "OUTBOX_TABLE_NAME": "participant-data-pending",
    "OUTBOX_RESERVE_SECONDS": "0.8",
}


def test_without_an_outbox_configured_the_dependencies_have_none() -> None:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s"})

    assert build_outbox(settings) is None
    assert build_dependencies(settings).outbox is None


class Recorder:
    def __init__(self) -> None:
        self.built: list[tuple[str, float, float]] = []

    def __call__(self, service: str, connect: float, read: float) -> Any:
        self.built.append((service, connect, read))
        return self

    def get_item(self, **request: Any) -> dict[str, Any]:
        return {}


def test_an_outbox_builds_its_clients_on_first_use_with_attempts_bounded_by_the_reserve() -> None:
    factory = Recorder()
    outbox = build_outbox(Settings.from_environment(OUTBOX), client_factory=factory)

    assert outbox is not None
    assert outbox.reserve_seconds == 0.8
    assert outbox.queue.queue_url == OUTBOX["OUTBOX_QUEUE_URL"]
    assert outbox.marks.table_name == OUTBOX["OUTBOX_TABLE_NAME"]
    assert factory.built == []  # nothing of AWS's made during init (SnapStart would snapshot it)

    assert outbox.marks.is_pending("group", Deadline(5)) is False
    assert factory.built == [("dynamodb", 0.8, 0.8)]
