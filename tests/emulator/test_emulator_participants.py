"""Participants joining and leaving: seeded times, add_participant, end_participant, in Genesys's shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import urllib3
from urllib3 import BaseHTTPResponse

from genesys_emulator import EmulatorAdmin, GenesysEmulator

ApiCall = Callable[..., BaseHTTPResponse]

# Genesys's own Swagger definition of the operations the service uses (tests/fixtures/README.md).
SWAGGER = Path(__file__).parents[1] / "fixtures" / "genesys-platform-api-subset.swagger.json"
START, CONNECTED, END = "2026-01-30T09:00:00.000Z", "2026-01-30T09:00:05.250Z", "2026-01-30T09:07:30.000Z"


def participants_of(api: ApiCall, conversation_id: str) -> list[dict[str, Any]]:
    answer = api("GET", f"/api/v2/conversations/{conversation_id}")
    assert answer.status == 200
    return list(answer.json()["participants"])


def test_seeded_times_appear_where_genesys_puts_them(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.create_conversation(
        [
            {"id": "left", "start_time": START, "connected_time": CONNECTED, "end_time": END},
            {"id": "on", "start_time": "2026-01-30T10:00:00+01:00"},
            {"id": "ringing", "state": "alerting"},
            {"id": "long-gone", "end_time": END},
        ],
        conversation_id="c1",
    )

    left, on, ringing, long_gone = participants_of(api, "c1")

    assert (left["startTime"], left["connectedTime"], left["endTime"]) == (START, CONNECTED, END)
    assert left["calls"][0] | {"id": None} == {
        "id": None,
        "state": "disconnected",  # the default state of a participant seeded with an end_time
        "connectedTime": CONNECTED,
        "disconnectedTime": END,
    }
    # A connected call connected when it started, unless told otherwise; an alerting one has not yet.
    assert (
        on["startTime"]
        == on["connectedTime"]
        == on["calls"][0]["connectedTime"]
        == "2026-01-30T09:00:00.000Z"
    )
    assert "endTime" not in on
    assert "disconnectedTime" not in on["calls"][0]
    assert "connectedTime" not in ringing
    assert ringing["calls"][0] == {"id": ringing["calls"][0]["id"], "state": "alerting"}
    assert long_gone["startTime"] == long_gone["endTime"] == END  # it cannot have started after it ended


def test_ending_a_participant_sets_its_end_time_and_disconnects_its_call(
    emulator: GenesysEmulator, api: ApiCall
) -> None:
    emulator.create_conversation([{"id": "cust"}, {"id": "agent", "purpose": "agent"}], conversation_id="c1")
    before = datetime.now(UTC).replace(microsecond=0)

    info = emulator.end_participant("c1", "cust")

    assert info == {"id": "cust", "purpose": "customer", "state": "disconnected", "attributes": {}}
    cust, agent = participants_of(api, "c1")  # it stays listed, as Genesys lists those who left
    ended = datetime.strptime(cust["endTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= ended <= datetime.now(UTC)
    assert cust["calls"][0]["state"] == "disconnected"
    assert cust["calls"][0]["disconnectedTime"] == cust["endTime"]
    assert "endTime" not in agent
    assert agent["calls"][0]["state"] == "connected"


def test_ending_again_keeps_the_first_end_time_and_a_terminated_call_stays_terminated(
    emulator: GenesysEmulator, api: ApiCall
) -> None:
    emulator.create_conversation([{"id": "cust", "state": "terminated"}], conversation_id="c1")
    emulator.end_participant("c1", "cust", end_time=END)

    emulator.end_participant("c1", "cust", end_time=datetime(2027, 1, 1, tzinfo=UTC))

    (cust,) = participants_of(api, "c1")
    assert cust["endTime"] == END
    assert cust["calls"][0]["state"] == "terminated"


def test_a_participant_joins_a_running_conversation(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.create_conversation([{"id": "first"}], conversation_id="c1")
    emulator.end_participant("c1", "first")

    joined = emulator.add_participant("c1", {"id": "second", "attributes": {"a": "1"}})

    assert joined == {"id": "second", "purpose": "customer", "state": "connected", "attributes": {"a": "1"}}
    assert [p["id"] for p in participants_of(api, "c1")] == ["first", "second"]
    assert [p["id"] for p in emulator.get_conversation("c1")["participants"]] == ["first", "second"]


@pytest.mark.parametrize(
    ("action", "error"),
    [
        pytest.param(
            lambda emu: emu.end_participant("nope", "cust"), KeyError, id="end-unknown-conversation"
        ),
        pytest.param(lambda emu: emu.end_participant("c1", "nobody"), KeyError, id="end-unknown-participant"),
        pytest.param(
            lambda emu: emu.end_participant("c1", "cust", "yesterday"), ValueError, id="end-bad-time"
        ),
        pytest.param(lambda emu: emu.add_participant("nope", {}), KeyError, id="add-unknown-conversation"),
        pytest.param(
            lambda emu: emu.add_participant("c1", {"id": "cust"}), ValueError, id="add-duplicate-id"
        ),
        pytest.param(lambda emu: emu.add_participant("c1", {"end_time": 5}), ValueError, id="add-bad-time"),
        pytest.param(
            lambda emu: emu.create_conversation([{"connected_time": "soon"}]), ValueError, id="seed-bad-time"
        ),
    ],
)
def test_invalid_joins_and_leaves_are_refused(
    emulator: GenesysEmulator, action: Callable[[GenesysEmulator], object], error: type[Exception]
) -> None:
    emulator.create_conversation([{"id": "cust"}], conversation_id="c1")

    with pytest.raises(error):
        action(emulator)

    assert [p["id"] for p in emulator.get_conversation("c1")["participants"]] == ["cust"]


def test_the_admin_api_adds_and_ends_participants(emulator: GenesysEmulator, api: ApiCall) -> None:
    admin = EmulatorAdmin(emulator.base_url)
    admin.create_conversation([{"id": "first", "start_time": datetime(2026, 1, 30, 9, tzinfo=UTC)}], "c #1")

    joined = admin.add_participant("c #1", {"id": "second", "connected_time": CONNECTED})
    ended = admin.end_participant("c #1", "first", end_time=END)
    admin.end_participant("c #1", "second")

    assert joined["state"] == "connected"
    assert ended["state"] == "disconnected"
    first, second = participants_of(api, "c%20%231")
    assert (first["startTime"], first["endTime"]) == (START, END)
    assert second["connectedTime"] == CONNECTED
    assert "endTime" in second
    with pytest.raises(KeyError):
        admin.end_participant("c #1", "nobody")
    with pytest.raises(KeyError):
        admin.add_participant("nope", {})
    with pytest.raises(ValueError, match="unique"):
        admin.add_participant("c #1", {"id": "first"})


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/_emulator/conversations/c1/participants/cust/end", '{"colour": "red"}', 400),
        ("/_emulator/conversations/c1/participants/cust/end", '{"end_time": 5}', 400),
        ("/_emulator/conversations/c1/participants/nobody/end", None, 404),
        ("/_emulator/conversations/c1/participants", '{"id": "cust"}', 400),
        ("/_emulator/conversations/c1/participants", "[]", 400),
        ("/_emulator/conversations/nope/participants", "{}", 404),
    ],
)
def test_admin_errors_for_joins_and_leaves(
    emulator: GenesysEmulator, http: urllib3.PoolManager, path: str, body: str | None, status: int
) -> None:
    emulator.create_conversation([{"id": "cust"}], conversation_id="c1")

    answer = http.request("POST", emulator.base_url + path, body=body)

    assert answer.status == status
    assert json.loads(answer.data)["error"]


def test_participants_who_left_use_only_swagger_properties(emulator: GenesysEmulator, api: ApiCall) -> None:
    definitions = json.loads(SWAGGER.read_text())["definitions"]
    emulator.create_conversation(
        [{"id": "left", "connected_time": CONNECTED, "end_time": END}, {"id": "on"}, {"state": "dialing"}],
        conversation_id="c1",
    )

    for participant in participants_of(api, "c1"):
        assert set(participant) <= set(definitions["Participant"]["properties"])
        for call in participant["calls"]:
            assert set(call) <= set(definitions["Call"]["properties"])
            assert call["state"] in definitions["Call"]["properties"]["state"]["enum"]


def test_the_real_sdk_reads_who_left_and_when(emulator: GenesysEmulator) -> None:
    import PureCloudPlatformClientV2

    emulator.create_conversation([{"id": "left", "connected_time": CONNECTED, "end_time": END}], "c1")
    api_client = PureCloudPlatformClientV2.ApiClient(host=emulator.base_url)
    api_client.get_client_credentials_token("test-client", "test-secret")

    (left,) = PureCloudPlatformClientV2.ConversationsApi(api_client).get_conversation("c1").participants

    assert left.end_time == datetime(2026, 1, 30, 9, 7, 30, tzinfo=UTC)
    assert left.connected_time == datetime(2026, 1, 30, 9, 0, 5, 250000, tzinfo=UTC)
    assert (left.calls[0].state, left.calls[0].disconnected_time) == ("disconnected", left.end_time)
