"""The local API served as behind a custom domain with a base path mapping: real HTTP to the local API,
the real handler, the Genesys emulator and moto_server. API Gateway then puts the base path into the
event's `path`; the handler routes on `resource` and `pathParameters`, so the call still succeeds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import app
from localdev.local_api import LocalApi
from localdev.stack import LocalStack
from tests.local_api.conftest import API_KEY

ROUTE = "/conversations/{conversationId}/participants/{participantId}/attributes"
HEADERS = {"x-api-key": API_KEY, "Content-Type": "application/json"}
BODY = {"attributes": {"ivr_choice": "billing"}}


@pytest.fixture(params=["v1", "participant-data/v2"], ids=["one-level", "two-level"])
def mapped_api(request: pytest.FixtureRequest, stack: LocalStack) -> Iterator[tuple[LocalApi, list[Any]]]:
    """The local API behind a base path mapping, recording the events it hands to the real handler."""
    events: list[dict[str, Any]] = []

    def recording(event: dict[str, Any], context: Any) -> Any:
        events.append(json.loads(json.dumps(event)))
        return app.lambda_handler(event, context)

    with LocalApi(recording, API_KEY, base_path=request.param) as api:
        yield api, events


def _url(api: LocalApi, stack: LocalStack, participant: str) -> str:
    return api.url + ROUTE.format(conversationId=stack.conversation_id, participantId=participant)


@pytest.mark.parametrize("alias", [False, True], ids=["participant-id", "customer-alias"])
def test_a_patch_through_a_base_path_mapping_sets_the_attributes(
    mapped_api: tuple[LocalApi, list[dict[str, Any]]], stack: LocalStack, alias: bool
) -> None:
    api, events = mapped_api
    participant = "customer" if alias else stack.customer_id

    response = requests.patch(
        _url(api, stack, participant), data=json.dumps(BODY), headers=HEADERS, timeout=30
    )

    assert response.status_code == 200, response.text
    assert response.json()["participantId"] == stack.customer_id
    assert stack.customer_attributes()["ivr_choice"] == "billing"
    (built,) = events
    base_path = api.url.removeprefix(f"http://127.0.0.1:{api.port}")  # "/v1" or "/participant-data/v2"
    route_path = ROUTE.format(conversationId=stack.conversation_id, participantId=participant)
    assert built["path"] == built["requestContext"]["path"] == base_path + route_path
    assert built["resource"] == built["requestContext"]["resourcePath"] == ROUTE
    assert built["pathParameters"] == {"conversationId": stack.conversation_id, "participantId": participant}
    assert built["requestContext"]["stage"] == "prod"


def test_the_stage_path_is_not_served_on_a_custom_domain(
    mapped_api: tuple[LocalApi, list[dict[str, Any]]], stack: LocalStack
) -> None:
    api, events = mapped_api
    stage_url = f"http://127.0.0.1:{api.port}/prod" + ROUTE.format(
        conversationId=stack.conversation_id, participantId=stack.customer_id
    )

    response = requests.patch(stage_url, data=json.dumps(BODY), headers=HEADERS, timeout=30)

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert events == []
