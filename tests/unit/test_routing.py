"""Routing on what API Gateway resolved (`resource` / `routeKey` and `pathParameters`), whatever the raw
path carries: a custom domain's base path, an HTTP API's named stage. The deployment-shape events come
from tests/fixtures/api_gateway_events/, made from `sam local generate-event` samples."""

from __future__ import annotations

import filecmp
import json
import runpy
from pathlib import Path
from typing import Any

import pytest

import app
from localdev.lambda_context import LocalLambdaContext
from participant_data.handlers.direct_invocation import DataActionFailed
from tests.events import (
    CONVERSATION,
    DEPLOYMENT_EVENTS,
    DEPLOYMENT_SHAPES,
    PARTICIPANT,
    ROUTE,
    api_event,
    deployment_event,
    event,
    response_body,
)
from tests.unit.fakes import FakeGenesys

EXPECTED = {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": "5"}
OTHER_CONVERSATION = "00000000-0000-4000-8000-00000000000c"
OTHER_PARTICIPANT = "00000000-0000-4000-8000-00000000000p".replace("p", "a")
GENERATOR = DEPLOYMENT_EVENTS / "generate_api_gateway_events.py"


def _raw_path(request: dict[str, Any]) -> str:
    return str(request["path"] if "httpMethod" in request else request["rawPath"])


def _set_path_parameters(request: dict[str, Any], parameters: Any) -> dict[str, Any]:
    request["pathParameters"] = parameters
    return request


# --- Every deployment shape routes -------------------------------------------------------------------


@pytest.mark.parametrize("shape", DEPLOYMENT_SHAPES)
def test_every_deployment_shape_sets_the_attributes(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, shape: str
) -> None:
    response = app.lambda_handler(deployment_event(shape), lambda_context)

    assert response["statusCode"] == 200, response["body"]
    assert response_body(response)["participantId"] == PARTICIPANT
    assert genesys.patches == [(CONVERSATION, PARTICIPANT, EXPECTED)]


@pytest.mark.parametrize(
    ("shape", "prefix"),
    [
        ("rest-execute-api", ""),
        ("rest-custom-domain-base-path", "/v1"),
        ("http-default-stage", ""),
        ("http-named-stage", "/prod"),
        ("http-custom-domain", "/v1"),
    ],
)
def test_the_shapes_differ_only_in_the_raw_path_prefix(shape: str, prefix: str) -> None:
    """The fixtures really are the shapes the tests above claim: same route and IDs, prefixed raw path."""
    request = deployment_event(shape)
    sample = event("api-gateway-rest" if shape.startswith("rest") else "api-gateway-http")
    assert _raw_path(request) == prefix + _raw_path(sample)
    assert request["pathParameters"] == sample["pathParameters"]
    assert request.get("resource") == sample.get("resource")
    assert request.get("routeKey") == sample.get("routeKey")
    assert json.loads(request["body"]) == json.loads(sample["body"])


def test_the_fixtures_are_what_the_generator_makes_from_sam_samples(tmp_path: Path) -> None:
    """Regenerates the deployment-shape events with `sam local generate-event` (offline) and compares."""
    runpy.run_path(str(GENERATOR))["write_events"](tmp_path)

    names = [f"{shape}.json" for shape in DEPLOYMENT_SHAPES]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names)
    _, mismatch, errors = filecmp.cmpfiles(DEPLOYMENT_EVENTS, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_the_ids_come_from_path_parameters_not_from_the_raw_path(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, kind: str
) -> None:
    misleading = f"/conversations/{OTHER_CONVERSATION}/participants/{OTHER_PARTICIPANT}/attributes"

    response = app.lambda_handler(api_event(kind, path=misleading), lambda_context)

    assert response["statusCode"] == 200
    assert genesys.patches == [(CONVERSATION, PARTICIPANT, EXPECTED)]


def test_the_customer_alias_resolves_behind_a_named_stage(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    request = deployment_event("http-named-stage")
    request["pathParameters"]["participantId"] = "customer"

    response = app.lambda_handler(request, lambda_context)

    assert response_body(response)["participantId"] == PARTICIPANT
    assert genesys.lookups == [CONVERSATION]


def test_an_http_api_any_route_on_the_path_is_served(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    request = api_event("http")
    request["routeKey"] = request["requestContext"]["routeKey"] = f"ANY {ROUTE}"

    assert app.lambda_handler(request, lambda_context)["statusCode"] == 200
    assert len(genesys.patches) == 1


# --- What is not this route ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        pytest.param("rest", {"route": "/{proxy+}"}, id="rest-proxy-resource"),
        pytest.param("rest", {"route": "/"}, id="rest-root"),
        pytest.param("rest", {"method": "GET"}, id="rest-any-method-resource-get"),
        pytest.param("rest", {"route": ROUTE + "/{extra}"}, id="rest-longer-resource"),
        pytest.param("http", {"route": "$default"}, id="http-default-route"),
        pytest.param("http", {"route": "/{proxy+}"}, id="http-proxy-route"),
        pytest.param("http", {"method": "DELETE"}, id="http-other-method"),
        pytest.param("http", {"route": "/v1" + ROUTE}, id="http-prefixed-route"),
    ],
)
def test_a_route_other_than_the_attributes_patch_is_route_not_found(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, kind: str, overrides: dict[str, str]
) -> None:
    """A catch-all route resolves no IDs: the raw path (here a valid one) is never parsed for them."""
    overrides.setdefault("path", ROUTE.format(conversationId=CONVERSATION, participantId=PARTICIPANT))

    response = app.lambda_handler(api_event(kind, **overrides), lambda_context)  # type: ignore[arg-type]

    assert response["statusCode"] == 404
    assert response_body(response)["code"] == "route_not_found"
    assert genesys.patches == []


def test_an_http_any_route_with_another_method_is_route_not_found(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    request = api_event("http", method="GET")
    request["routeKey"] = request["requestContext"]["routeKey"] = f"ANY {ROUTE}"

    assert response_body(app.lambda_handler(request, lambda_context))["code"] == "route_not_found"
    assert genesys.patches == []


# --- IDs are validated as before; malformed events fail as on the direct path ---------------------------


@pytest.mark.parametrize("shape", DEPLOYMENT_SHAPES)
@pytest.mark.parametrize(("field", "value"), [("conversationId", "not-a-uuid"), ("participantId", "agent")])
def test_resolved_ids_are_validated(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, shape: str, field: str, value: str
) -> None:
    request = deployment_event(shape)
    request["pathParameters"][field] = value

    response = app.lambda_handler(request, lambda_context)

    assert response["statusCode"] == 400
    assert response_body(response)["code"] == "invalid_request"
    assert field in response_body(response)["message"]
    assert genesys.patches == []


@pytest.mark.parametrize("kind", ["rest", "http"])
@pytest.mark.parametrize(
    "parameters",
    [
        None,
        {},
        {"conversationId": CONVERSATION},
        {"participantId": PARTICIPANT},
        {"conversationId": CONVERSATION, "participantId": 7},
        [CONVERSATION, PARTICIPANT],
        "conversationId",
    ],
    ids=["null", "empty", "no-participant", "no-conversation", "number", "list", "string"],
)
def test_the_route_without_its_path_parameters_is_a_malformed_event(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, kind: str, parameters: Any
) -> None:
    request = _set_path_parameters(api_event(kind), parameters)

    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: .*malformed"):
        app.lambda_handler(request, lambda_context)
    assert genesys.patches == []


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("rest", "resource", None),
        ("rest", "resource", 3),
        ("http", "routeKey", None),
        ("http", "routeKey", ["PATCH", ROUTE]),
    ],
)
def test_a_resolved_route_of_the_wrong_type_is_a_malformed_event(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext, kind: str, field: str, value: Any
) -> None:
    request = api_event(kind)
    request[field] = value

    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: .*malformed"):
        app.lambda_handler(request, lambda_context)


def test_a_rest_event_without_a_resource_is_a_malformed_event(
    genesys: FakeGenesys, lambda_context: LocalLambdaContext
) -> None:
    request = api_event("rest")
    del request["resource"]

    with pytest.raises(DataActionFailed, match=r"^400 invalid_request: .*malformed"):
        app.lambda_handler(request, lambda_context)
