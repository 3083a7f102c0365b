"""Where a queued write can still go, read from Genesys-shaped JSON deserialised by the real SDK."""

from __future__ import annotations

import json
from typing import Any

import pytest

from participant_data.genesys.sdk import ApiClient
from participant_data.genesys.write_target import WriteTarget, write_target

EARLY, LATE = "2026-01-30T09:00:00.000Z", "2026-01-30T09:10:00.000Z"
CUSTOMER = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
NEW_CUSTOMER = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
AGENT = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


class _Answer:
    """What `ApiClient.deserialize` reads of an HTTP answer."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.data = json.dumps(document)

    def getheader(self, name: str) -> str | None:
        return "application/json" if name == "Content-Type" else None


def conversation(*participants: dict[str, Any], end_time: str | None = None) -> Any:
    document: dict[str, Any] = {"id": "c", "startTime": EARLY, "participants": list(participants)}
    if end_time:
        document["endTime"] = end_time
    return ApiClient(host="http://127.0.0.1").deserialize(_Answer(document), "Conversation")


def participant(pid: str, purpose: str = "customer", end_time: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": pid,
        "purpose": purpose,
        "startTime": EARLY,
        "calls": [{"state": "connected"}],
    }
    if end_time:
        document.update(endTime=end_time, calls=[{"state": "disconnected"}])
    return document


def test_a_live_conversation_takes_the_write_for_a_listed_participant_in_any_case() -> None:
    live = conversation(participant(CUSTOMER), participant(AGENT, "agent"))

    assert write_target(live, CUSTOMER.upper()) == WriteTarget(False, CUSTOMER)
    assert write_target(live, NEW_CUSTOMER) == WriteTarget(False, None)


def test_the_alias_follows_the_customer_still_on_the_call() -> None:
    transferred = conversation(participant(CUSTOMER, end_time=LATE), participant(NEW_CUSTOMER))

    assert write_target(transferred, "customer") == WriteTarget(False, NEW_CUSTOMER)
    # A participant that left stays listed and is still written, as the request side would.
    assert write_target(transferred, CUSTOMER) == WriteTarget(False, CUSTOMER)
    assert write_target(conversation(participant(AGENT, "agent")), "customer") == WriteTarget(False, None)


@pytest.mark.parametrize(
    "ended",
    [
        pytest.param(conversation(participant(CUSTOMER), end_time=LATE), id="conversation-endTime"),
        pytest.param(
            conversation(participant(CUSTOMER, end_time=LATE), participant(AGENT, "agent", end_time=LATE)),
            id="every-participant-left",
        ),
    ],
)
def test_an_ended_conversation_is_recognised(ended: Any) -> None:
    assert write_target(ended, "customer").conversation_ended is True
    assert write_target(ended, CUSTOMER).conversation_ended is True
