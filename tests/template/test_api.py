"""The REST API: the one route the handler serves, behind the API key, throttled and capped in step with
what one Genesys org can send, and the outputs a Genesys data action is configured with."""

from __future__ import annotations

from typing import Any

from participant_data.handlers.api_gateway import ROUTE_TEMPLATE
from tests.template.cloudformation import Deployment, deploy
from tests.template.limits import (
    GENESYS_CONCURRENT_DATA_ACTIONS,
    GENESYS_DATA_ACTIONS_PER_MINUTE,
    MINUTES_PER_QUOTA_PERIOD,
)
from tests.template.sam import API, deploy_translated

# The method of the route (the OpenAPI contract, checked against the template by tests/contracts).
METHOD = "PATCH"


def _rest_api_body(deployment: Deployment) -> dict[str, Any]:
    (rest_api,) = deployment.of_type("AWS::ApiGateway::RestApi").values()
    body: dict[str, Any] = rest_api["Properties"]["Body"]
    return body


def test_the_only_route_is_the_handlers_behind_the_api_key(
    route: dict[str, Any], api: dict[str, Any]
) -> None:
    assert route["RestApiId"] == {"Ref": API}
    assert (route["Path"], route["Method"].upper()) == (ROUTE_TEMPLATE, METHOD)
    assert route["Auth"]["ApiKeyRequired"] is True
    assert api["Auth"]["ApiKeyRequired"] is True  # also for any route added later


def test_translated_api_refuses_calls_without_the_api_key() -> None:
    """In the CloudFormation SAM generates, the one operation requires the key, sent as `x-api-key`."""
    body = _rest_api_body(deploy_translated())
    operations = [
        (path, verb) for path, item in body["paths"].items() for verb in item if verb != "parameters"
    ]
    assert operations == [(ROUTE_TEMPLATE, METHOD.lower())]
    assert {"api_key": []} in body["paths"][ROUTE_TEMPLATE][METHOD.lower()]["security"]
    assert body["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
    }


def test_the_key_the_output_names_is_metered_by_this_apis_usage_plan() -> None:
    deployment = deploy_translated()
    key = deployment.outputs["ParticipantDataApiKeyId"]["Value"]["Ref"]
    assert deployment.resources[key]["Type"] == "AWS::ApiGateway::ApiKey"
    assert deployment.resources[key]["Properties"]["Enabled"] is True
    plan_keys = [
        body["Properties"]
        for body in deployment.of_type("AWS::ApiGateway::UsagePlanKey").values()
        if body["Properties"]["KeyId"] == {"Ref": key}
    ]
    assert [(plan_key["KeyType"], plan_key["UsagePlanId"]) for plan_key in plan_keys] == [
        ("API_KEY", {"Ref": plan}) for plan in deployment.of_type("AWS::ApiGateway::UsagePlan")
    ]
    for plan in deployment.of_type("AWS::ApiGateway::UsagePlan").values():
        assert [stage["ApiId"] for stage in plan["Properties"]["ApiStages"]] == [{"Ref": API}]


def test_the_usage_plan_and_every_method_of_the_stage_throttle_as_the_parameters_say() -> None:
    deployment = deploy_translated(ApiRateLimit="7", ApiBurstLimit="9")
    (plan,) = deployment.of_type("AWS::ApiGateway::UsagePlan").values()
    assert {name: str(value) for name, value in plan["Properties"]["Throttle"].items()} == {
        "RateLimit": "7",
        "BurstLimit": "9",
    }
    (stage,) = deployment.of_type("AWS::ApiGateway::Stage").values()
    throttles = [
        (
            setting["ResourcePath"],
            setting["HttpMethod"],
            setting["ThrottlingRateLimit"],
            setting["ThrottlingBurstLimit"],
        )
        for setting in stage["Properties"]["MethodSettings"]
    ]
    assert throttles == [("/*", "*", "7", "9")]


def test_the_default_throttles_let_one_orgs_data_actions_through(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    assert parameters["ApiRateLimit"]["Default"] * 60 >= GENESYS_DATA_ACTIONS_PER_MINUTE
    assert parameters["ApiBurstLimit"]["Default"] >= GENESYS_CONCURRENT_DATA_ACTIONS


def test_the_quota_never_stops_one_orgs_data_actions(api: dict[str, Any]) -> None:
    quota = api["Auth"]["UsagePlan"]["Quota"]
    assert quota["Limit"] >= GENESYS_DATA_ACTIONS_PER_MINUTE * MINUTES_PER_QUOTA_PERIOD[quota["Period"]]


def test_the_url_output_is_the_route_on_the_chosen_stage(
    template: dict[str, Any], route: dict[str, Any]
) -> None:
    url = deploy(template, {"StageName": "live"}).outputs["ParticipantDataApiUrl"]["Value"]
    assert url == {"Fn::Sub": f"https://${{{API}}}.execute-api.us-east-1.amazonaws.com/live{route['Path']}"}
