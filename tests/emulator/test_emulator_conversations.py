"""GET /api/v2/conversations/{id}, and the emulator's answers checked against Genesys's own swagger."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from urllib3 import BaseHTTPResponse

from genesys_emulator import ConversationInfo, Fault, GenesysEmulator

ApiCall = Callable[..., BaseHTTPResponse]
AttributesUrl = Callable[..., str]

# Genesys's own Swagger 2.0 definition, cut to the two operations we use (tests/fixtures/README.md).
SWAGGER = Path(__file__).parents[1] / "fixtures" / "genesys-platform-api-subset.swagger.json"
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ERROR_BODY_FIELDS = {
    "message",
    "code",
    "status",
    "contextId",
    "messageWithParams",
    "messageParams",
    "details",
    "errors",
}


@cache
def swagger() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SWAGGER.read_text())
    return document


def properties(definition: str) -> set[str]:
    return set(swagger()["definitions"][definition]["properties"])


def test_get_conversation_body(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo
) -> None:
    answer = api("GET", f"/api/v2/conversations/{conversation['id']}")

    assert answer.status == 200
    document = answer.json()
    assert document["id"] == conversation["id"]
    assert document["selfUri"] == f"/api/v2/conversations/{conversation['id']}"
    assert ISO_MILLIS.match(document["startTime"])
    started = datetime.strptime(document["startTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - started).total_seconds()) < 60
    assert [(p["id"], p["purpose"], p["attributes"]) for p in document["participants"]] == [
        (conversation["participants"][0]["id"], "customer", {"existing": "keep me"}),
        (conversation["participants"][1]["id"], "ivr", {}),
    ]
    for participant in document["participants"]:
        assert ISO_MILLIS.match(participant["startTime"])
        assert participant["calls"][0]["state"] == "connected"


def test_get_conversation_shows_patched_attributes(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    api("PATCH", attributes_url(conversation), json={"attributes": {"new": "value"}})

    document = api("GET", f"/api/v2/conversations/{conversation['id']}").json()

    assert document["participants"][0]["attributes"] == {"existing": "keep me", "new": "value"}


def test_unknown_conversation_is_404(api: ApiCall) -> None:
    answer = api("GET", "/api/v2/conversations/3b5f3c8e-0000-4000-8000-000000000000")

    assert answer.status == 404
    assert answer.json()["code"] == "not.found"


def test_seeding_with_given_ids_and_states(emulator: GenesysEmulator, api: ApiCall) -> None:
    seeded = emulator.create_conversation(
        [
            {"id": "cust-1", "purpose": "customer", "state": "disconnected"},
            {"id": "agent-1", "purpose": "agent"},
        ],
        conversation_id="conv-1",
    )

    assert seeded == {
        "id": "conv-1",
        "participants": [
            {"id": "cust-1", "purpose": "customer", "state": "disconnected", "attributes": {}},
            {"id": "agent-1", "purpose": "agent", "state": "connected", "attributes": {}},
        ],
    }
    states = [
        p["calls"][0]["state"] for p in api("GET", "/api/v2/conversations/conv-1").json()["participants"]
    ]
    assert states == ["disconnected", "connected"]


@pytest.mark.parametrize(
    ("participants", "conversation_id"),
    [
        pytest.param([{"purpose": "customer", "colour": "red"}], None, id="unknown-key"),
        pytest.param([{"attributes": {"a": 1}}], None, id="non-string-attribute"),
        pytest.param([{"state": "asleep"}], None, id="unknown-state"),
        pytest.param([{"id": "same"}, {"id": "same"}], None, id="duplicate-participant"),
        pytest.param([{}], "has/slash", id="slash-in-id"),
    ],
)
def test_seeding_rejects_invalid_conversations(
    emulator: GenesysEmulator, participants: list[dict[str, Any]], conversation_id: str | None
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        emulator.create_conversation(participants, conversation_id=conversation_id)


def test_seeding_the_same_id_twice_is_refused(emulator: GenesysEmulator) -> None:
    emulator.create_conversation([{}], conversation_id="twice")

    with pytest.raises(ValueError, match="already exists"):
        emulator.create_conversation([{}], conversation_id="twice")


def test_participant_attributes_is_a_copy(emulator: GenesysEmulator, conversation: ConversationInfo) -> None:
    copy = emulator.participant_attributes(conversation["id"], conversation["participants"][0]["id"])
    copy["mutated"] = "yes"

    assert "mutated" not in emulator.participant_attributes(
        conversation["id"], conversation["participants"][0]["id"]
    )
    with pytest.raises(KeyError):
        emulator.participant_attributes(conversation["id"], "nobody")


def test_the_real_sdk_deserializes_the_conversation(
    emulator: GenesysEmulator, conversation: ConversationInfo
) -> None:
    import PureCloudPlatformClientV2

    api_client = PureCloudPlatformClientV2.ApiClient(host=emulator.base_url)
    api_client.get_client_credentials_token("test-client", "test-secret")

    result = PureCloudPlatformClientV2.ConversationsApi(api_client).get_conversation(conversation["id"])

    assert isinstance(result, PureCloudPlatformClientV2.Conversation)
    assert result.id == conversation["id"]
    assert isinstance(result.start_time, datetime)
    assert [p.id for p in result.participants] == [p["id"] for p in conversation["participants"]]
    assert [p.purpose for p in result.participants] == ["customer", "ivr"]
    assert [p.attributes for p in result.participants] == [{"existing": "keep me"}, {}]
    assert result.participants[0].calls[0].state == "connected"


# --- shapes checked against genesys-platform-api-subset.swagger.json -----------------------------------


def test_conversation_uses_only_swagger_properties(api: ApiCall, conversation: ConversationInfo) -> None:
    document = api("GET", f"/api/v2/conversations/{conversation['id']}").json()
    definition = swagger()["definitions"]["Conversation"]

    assert set(definition["required"]) <= set(document)
    assert set(document) <= properties("Conversation")
    for participant in document["participants"]:
        assert set(participant) <= properties("Participant")
        for call in participant["calls"]:
            assert set(call) <= properties("Call")
            assert call["state"] in swagger()["definitions"]["Call"]["properties"]["state"]["enum"]


def test_patch_body_is_the_swagger_participant_attributes(api: ApiCall) -> None:
    operation = swagger()["paths"][
        "/api/v2/conversations/{conversationId}/participants/{participantId}/attributes"
    ]
    body = next(p for p in operation["patch"]["parameters"] if p["in"] == "body")

    assert body["schema"] == {"$ref": "#/definitions/ParticipantAttributes"}
    attributes = swagger()["definitions"]["ParticipantAttributes"]["properties"]["attributes"]
    assert attributes["additionalProperties"] == {"type": "string"}


def test_error_answers_are_swagger_error_bodies(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    answers = [
        api("GET", "/api/v2/tokens/me", token=None),  # 401
        api("GET", "/api/v2/conversations/nope"),  # 404
        api("PATCH", attributes_url(conversation), json={"attributes": {"a": 1}}),  # 400
        api("PATCH", attributes_url(conversation), body="{}", headers={"Content-Type": "text/plain"}),  # 415
        api("PATCH", attributes_url(conversation), json={"attributes": {"a": "x" * 512001}}),  # 413
        api("DELETE", attributes_url(conversation)),  # 405
    ]
    emulator.inject_fault(Fault(status=503))
    answers.append(api("GET", "/api/v2/tokens/me"))
    emulator.set_rate_limit(1)  # a fresh window
    assert api("GET", "/api/v2/tokens/me").status == 200
    answers.append(api("GET", "/api/v2/tokens/me"))  # 429
    error_body = swagger()["definitions"]["ErrorBody"]["properties"]

    assert [a.status for a in answers] == [401, 404, 400, 415, 413, 405, 503, 429]
    for answer in answers:
        document = answer.json()
        assert set(document) == ERROR_BODY_FIELDS
        assert set(document) <= set(error_body)
        assert document["status"] == answer.status
        assert isinstance(document["code"], str)
        assert document["code"]
        assert isinstance(document["message"], str)
        assert document["message"]
        assert all(isinstance(v, str) for v in document["messageParams"].values())
        assert document["details"] == []
        assert document["errors"] == []
        assert document["contextId"] == answer.headers["ININ-Correlation-Id"]


def test_patch_statuses_are_the_documented_ones(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    operation = swagger()["paths"][
        "/api/v2/conversations/{conversationId}/participants/{participantId}/attributes"
    ]
    # 413 is in today's API reference, not in the 2018 definition: docs/genesys-facts.md#platform-api-errors
    documented = {int(status) for status in operation["patch"]["responses"]} | {413}
    url = attributes_url(conversation)
    statuses = {
        api("PATCH", url, json={"attributes": {"a": "1"}}).status,
        api("PATCH", url, json={"attributes": {"a": 1}}).status,
        api("PATCH", url, json={"attributes": {"a": "1"}}, token=None).status,
        api("PATCH", url.replace(conversation["id"], "nope"), json={"attributes": {"a": "1"}}).status,
        api("PATCH", url, body='{"attributes": {}}', headers={"Content-Type": "text/plain"}).status,
        api("PATCH", url, json={"attributes": {"a": "x" * 512001}}).status,
    }

    assert statuses == {202, 400, 401, 404, 415, 413}
    assert statuses <= documented
    assert "202" in operation["patch"]["responses"]
    assert "schema" not in operation["patch"]["responses"]["202"]  # 202 has no body
