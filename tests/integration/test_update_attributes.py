"""The main job over real HTTP: API Gateway and direct events, merged into the emulator's participant."""

from __future__ import annotations

import pytest

from genesys_emulator import Fault
from participant_data.handlers.direct_invocation import DataActionFailed
from tests.events import CONVERSATION, PARTICIPANT, api_event, event, response_body
from tests.integration.conftest import AGENT, LocalStack

SET = {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": "5"}


@pytest.mark.parametrize(
    "request_event",
    [
        pytest.param(api_event("rest"), id="rest"),
        pytest.param(api_event("rest", base64_body=True), id="rest-base64"),
        pytest.param(api_event("http"), id="http"),
        pytest.param(api_event("http", base64_body=True), id="http-base64"),
    ],
)
def test_an_api_event_merges_the_keys_and_keeps_the_others(
    stack: LocalStack, request_event: dict[str, object]
) -> None:
    response = stack.invoke(request_event)

    assert response["statusCode"] == 200
    assert response_body(response)["updatedKeys"] == list(SET)
    assert stack.attributes() == {"existing": "kept", **SET}
    assert stack.attributes(AGENT) == {}


def test_a_warm_call_makes_exactly_one_genesys_request(stack: LocalStack) -> None:
    stack.invoke(api_event("rest"))  # cold: token, then PATCH
    stack.emulator.clear_requests()

    stack.invoke(api_event("rest", body={"attributes": {"step": "2"}}))

    assert [(r.method, r.status) for r in stack.emulator.requests] == [("PATCH", 202)]


def test_one_token_serves_many_warm_calls(stack: LocalStack) -> None:
    for step in range(20):
        assert stack.invoke(api_event("rest", body={"attributes": {"step": str(step)}}))["statusCode"] == 200

    assert stack.token_requests() == 1
    assert stack.patches() == 20
    assert stack.attributes()["step"] == "19"


def test_the_customer_alias_resolves_once_then_patches_directly(stack: LocalStack) -> None:
    first = stack.invoke(event("api-gateway-rest-customer-alias"))
    stack.emulator.clear_requests()
    second = stack.invoke(api_event("rest", participant_id="customer", body={"attributes": {"again": "yes"}}))

    assert response_body(first)["participantId"] == response_body(second)["participantId"] == PARTICIPANT
    assert [r.method for r in stack.emulator.requests] == ["PATCH"]
    assert stack.attributes()["again"] == "yes"


def test_a_conversation_without_a_customer_is_404(stack: LocalStack) -> None:
    other = stack.emulator.create_conversation([{"purpose": "ivr"}])

    response = stack.invoke(api_event("rest", conversation_id=other["id"], participant_id="customer"))

    assert response["statusCode"] == 404
    assert response_body(response)["code"] == "customer_not_found"


@pytest.mark.parametrize("participant", [PARTICIPANT, "customer"])
def test_an_unknown_conversation_is_404(stack: LocalStack, participant: str) -> None:
    response = stack.invoke(
        api_event("rest", conversation_id="00000000-0000-4000-8000-000000000000", participant_id=participant)
    )

    assert response["statusCode"] == 404
    assert response_body(response)["code"] == "not_found"


def test_an_unknown_participant_is_404(stack: LocalStack) -> None:
    response = stack.invoke(api_event("rest", participant_id="00000000-0000-4000-8000-000000000001"))

    assert response["statusCode"] == 404
    assert stack.attributes() == {"existing": "kept"}


@pytest.mark.parametrize(
    "request_event",
    [
        pytest.param(api_event("rest", body={"attributes": {}}), id="empty-map"),
        pytest.param(api_event("rest", body={"attributes": {"a": None}}), id="null-value"),
        pytest.param(api_event("rest", body={"attributes": {"a": {"b": "c"}}}), id="object-value"),
        pytest.param(api_event("rest", body={"attributes": {"a": [1]}}), id="array-value"),
        pytest.param(api_event("rest", body={"attrs": {"a": "b"}}), id="wrong-field"),
        pytest.param(api_event("rest", raw_body="{broken"), id="not-json"),
        pytest.param(api_event("rest", raw_body='{"attributes": {"a": "1", "a": "2"}}'), id="duplicate-key"),
        pytest.param(
            api_event("rest", body={"attributes": {f"k{i}": "v" for i in range(51)}}), id="too-many"
        ),
        pytest.param(api_event("rest", body={"attributes": {"k" * 129: "v"}}), id="long-key"),
        pytest.param(api_event("rest", body={"attributes": {"k": "v" * 2049}}), id="long-value"),
        pytest.param(api_event("rest", body={"attributes": {"k": "v" * 70_000}}), id="too-large"),
        pytest.param(api_event("rest", conversation_id="not-a-uuid"), id="bad-conversation"),
        pytest.param(api_event("rest", participant_id="agent"), id="bad-participant"),
        pytest.param(api_event("rest", content_type="text/plain"), id="content-type"),
        pytest.param(api_event("rest", method="DELETE"), id="method"),
        pytest.param(api_event("http", raw_body="{broken"), id="http-not-json"),
    ],
)
def test_bad_input_is_refused_before_any_genesys_call(
    stack: LocalStack, request_event: dict[str, object]
) -> None:
    response = stack.invoke(request_event)

    assert 400 <= response["statusCode"] < 500
    body = response_body(response)
    assert body["code"]
    assert body["message"]
    assert stack.emulator.requests == []


def test_genesys_refusing_a_value_is_a_clear_error_and_not_retried(stack: LocalStack) -> None:
    stack.emulator.inject_fault(Fault(status=400, count=1, method="PATCH"))

    response = stack.invoke(api_event("rest"))

    assert response["statusCode"] == 400
    assert response_body(response)["code"] == "genesys_rejected_input"
    assert stack.patches() == 1


def test_direct_invocation_returns_the_result(stack: LocalStack) -> None:
    result = stack.invoke(event("direct-invocation"))

    assert result == {
        "conversationId": CONVERSATION,
        "participantId": PARTICIPANT,
        "updatedKeys": list(SET),
        "updatedCount": 3,
        "queued": False,
    }
    assert stack.attributes() == {"existing": "kept", **SET}


def test_direct_invocation_raises_for_bad_input_and_for_an_unknown_conversation(stack: LocalStack) -> None:
    bad = event("direct-invocation")
    bad["attributes"] = {"a": None}
    with pytest.raises(DataActionFailed, match="400 invalid_request"):
        stack.invoke(bad)
    assert stack.emulator.requests == []

    unknown = event("direct-invocation")
    unknown["conversationId"] = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(DataActionFailed, match="404 not_found"):
        stack.invoke(unknown)
