"""What `make invoke` hands SAM: the template copy, the env-vars values, SAM's environment and command;
the stand-ins the events need; how the answer is judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localdev.container_stand_ins import STAND_IN_VARIABLES, StandIns
from localdev.invoke import (
    FUNCTION,
    answer_succeeded,
    event_target,
    invoke_template,
    lambda_image,
    sam_command,
    sam_environment,
)
from localdev.moto_server import FAKE_AWS_ENVIRONMENT
from localdev.stack import sample_ids
from localdev.template import load_template
from tests.invoke.conftest import REPO

EVENTS = REPO / "events"


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


@pytest.mark.parametrize(
    "name", ["api-gateway-rest.json", "api-gateway-rest-base64.json", "api-gateway-http.json"]
)
def test_api_events_name_their_path_parameters(name: str) -> None:
    parameters = event(name)["pathParameters"]

    assert event_target(event(name)) == (parameters["conversationId"], parameters["participantId"])


def test_a_direct_invocation_names_them_at_the_top_level() -> None:
    direct = event("direct-invocation.json")

    assert event_target(direct) == (direct["conversationId"], direct["participantId"])


def test_the_customer_alias_gets_a_customer_with_the_samples_id() -> None:
    alias = event("api-gateway-rest-customer-alias.json")

    assert event_target(alias) == (alias["pathParameters"]["conversationId"], sample_ids()[1])


def test_an_event_naming_no_conversation_gets_the_sample() -> None:
    assert event_target(event("scheduled.json")) == sample_ids()


def test_the_template_copy_is_the_built_function_for_this_architecture(tmp_path: Path) -> None:
    original = load_template()

    copy = invoke_template(tmp_path / "package", "x86_64")

    function = copy["Resources"][FUNCTION]
    properties = function["Properties"]
    assert "Metadata" not in function  # SAM would otherwise want to build it
    assert properties["CodeUri"] == str(tmp_path / "package")
    assert properties["Architectures"] == ["x86_64"]
    variables = properties["Environment"]["Variables"]
    original_variables = original["Resources"][FUNCTION]["Properties"]["Environment"]["Variables"]
    assert variables == {**original_variables, **dict.fromkeys(STAND_IN_VARIABLES, "")}
    assert set(copy["Resources"]) == set(original["Resources"])
    assert {
        key: value
        for key, value in properties.items()
        if key not in ("CodeUri", "Architectures", "Environment")
    } == {
        key: value
        for key, value in original["Resources"][FUNCTION]["Properties"].items()
        if key not in ("CodeUri", "Architectures", "Environment")
    }


def test_the_function_finds_the_stand_ins_by_container_name() -> None:
    stand_ins = StandIns("gpd-invoke-1", "gpd-invoke-1-genesys", "gpd-invoke-1-moto", None, "")  # type: ignore[arg-type]

    variables = stand_ins.function_variables()

    assert variables["AWS_ENDPOINT_URL_SECRETS_MANAGER"] == "http://gpd-invoke-1-moto:5000"
    assert stand_ins.emulator_url_in_network == "http://gpd-invoke-1-genesys:8080"
    assert set(variables) - {"GENESYS_SECRET_ID"} <= set(STAND_IN_VARIABLES)


def test_sam_gets_fake_credentials_never_the_callers() -> None:
    caller = {
        "PATH": "/usr/bin",
        "AWS_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "t",
        "AWS_ACCESS_KEY_ID": "AKIA...",
    }

    environment = sam_environment(caller)

    assert environment == {"PATH": "/usr/bin", **FAKE_AWS_ENVIRONMENT, "SAM_CLI_TELEMETRY": "0"}


def test_sam_puts_the_function_on_the_runs_network(tmp_path: Path) -> None:
    command = sam_command("sam", tmp_path / "t.json", tmp_path / "e.json", tmp_path / "v.json", "net-1")

    assert command[:4] == ["sam", "local", "invoke", FUNCTION]
    assert command[command.index("--docker-network") + 1] == "net-1"
    assert command[command.index("--env-vars") + 1] == str(tmp_path / "v.json")
    assert "--skip-pull-image" in command


@pytest.mark.parametrize(
    ("answer", "succeeded"),
    [
        ({"statusCode": 200, "body": "{}"}, True),
        ({"statusCode": 404, "body": "{}"}, False),
        ({"statusCode": 502, "body": "{}"}, False),
        ({"conversationId": "c", "updatedCount": 1}, True),  # a direct invocation's answer
        ({"healthy": True}, True),
        ({"errorType": "DataActionFailed", "errorMessage": "404 not.found: ..."}, False),
        (None, False),  # SAM printed nothing
    ],
)
def test_the_exit_status_follows_the_answer(answer: Any, succeeded: bool) -> None:
    assert answer_succeeded(answer) is succeeded


def test_the_image_is_the_public_one_of_the_architecture() -> None:
    assert lambda_image("arm64") == "public.ecr.aws/lambda/python:3.13-arm64"
