"""The data actions follow Genesys's contract rules, and what their templates render is what the handler
accepts: the Web Services body through validation.update_from_http, the Lambda event through
update_from_event, for any subset of the attribute inputs and for values that need escaping."""

from __future__ import annotations

import itertools
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api_contracts import data_actions
from api_contracts.data_actions import (
    DEFAULT_ATTRIBUTES,
    INPUT_NAME,
    RESERVED_INPUT_NAMES,
    ActionOptions,
    lambda_action,
    web_services_action,
)
from api_contracts.files import LAMBDA_PATH, REPO_ROOT, WEB_SERVICES_PATH
from participant_data.models import UpdateResult
from participant_data.settings import Limits
from participant_data.validation import update_from_event, update_from_http
from tests.contracts.genesys_velocity import render

CONVERSATION_ID = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
LIMITS = Limits()
GENESYS_INPUT_TYPES = {"string", "integer", "number", "boolean", "null"}
TRICKY_VALUES = [
    'say "hi"',
    "back\\slash and C:\\path\\",
    "two\nlines\r\nand\ttab",
    "unicode: é ß 中文 😀",
    "</script> & ${input.conversationId} #end $esc",
    "",
]
API_KEY = "test-api-key"


def committed(path: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REPO_ROOT / path).read_text(encoding="utf-8"))
    return loaded


ACTIONS = {"web-services": committed(WEB_SERVICES_PATH), "aws-lambda": committed(LAMBDA_PATH)}


@pytest.fixture(params=sorted(ACTIONS))
def action(request: pytest.FixtureRequest) -> dict[str, Any]:
    return ACTIONS[request.param]


# --- Genesys's contract rules -------------------------------------------------------------------------


def test_import_fields(action: dict[str, Any]) -> None:
    assert set(action) == {"name", "integrationType", "actionType", "secure", "contract", "config"}
    assert action["actionType"] == "custom"
    assert set(action["config"]["request"]) == {
        "requestUrlTemplate",
        "requestType",
        "headers",
        "requestTemplate",
    }
    assert action["config"]["response"]["successTemplate"] == "${rawResult}"
    assert 1 <= action["config"]["timeoutSeconds"] <= 60


def test_input_contract_is_flat_with_valid_names(action: dict[str, Any]) -> None:
    input_schema = action["contract"]["input"]["inputSchema"]
    assert input_schema["type"] == "object"
    assert "$ref" not in json.dumps(input_schema)
    for name, prop in input_schema["properties"].items():
        assert INPUT_NAME.match(name), name
        assert name not in RESERVED_INPUT_NAMES
        assert prop["type"] in GENESYS_INPUT_TYPES, name
    assert set(input_schema["properties"]) == {
        "conversationId",
        "participantId",
        "queueIfUnavailable",
        *DEFAULT_ATTRIBUTES,
    }
    assert input_schema["properties"]["queueIfUnavailable"]["type"] == "boolean"
    assert input_schema["required"] == ["conversationId", "participantId"]


def test_output_contract_has_no_nested_arrays_and_fits_the_result(action: dict[str, Any]) -> None:
    output_schema = action["contract"]["output"]["successSchema"]

    def arrays_inside(node: Any, inside_array: bool = False) -> list[str]:
        if not isinstance(node, dict):
            return []
        nested = [json.dumps(node)] if inside_array and node.get("type") == "array" else []
        is_array = node.get("type") == "array"
        children = list(node.get("properties", {}).values()) + ([node["items"]] if "items" in node else [])
        return nested + [
            found for child in children for found in arrays_inside(child, inside_array or is_array)
        ]

    assert arrays_inside(output_schema) == []
    result = UpdateResult(CONVERSATION_ID, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", ("ivrChoice", "priority"))
    queued = UpdateResult(CONVERSATION_ID, "customer", ("ivrChoice",), queued=True)
    for answer in (result, queued):
        jsonschema.Draft4Validator(output_schema).validate(answer.to_dict())
    assert set(output_schema["required"]) == set(result.to_dict())
    assert output_schema["properties"]["queued"]["type"] == "boolean"  # a flow branches on it


def test_every_input_in_a_template_is_escaped(action: dict[str, Any]) -> None:
    request = action["config"]["request"]
    body_references = re.findall(r"(.{0,16})\$\{input\.([A-Za-z0-9_-]+)\}", request["requestTemplate"])
    assert body_references
    assert all(before.endswith("$esc.jsonString(") for before, _ in body_references), body_references
    # Outside the escaping calls, inputs appear only in the #if guards that test whether they were given.
    escaped = re.sub(r"\$esc\.jsonString\(\$\{input\.[\w-]+\}\)", "", request["requestTemplate"])
    unguarded = re.sub(r'#if\(\$input\.([\w-]+) \|\| \$input\.\1 == ""\)', "", escaped)
    # An optional boolean is only compared with true and false, and written as a literal.
    unguarded = re.sub(r"#if\(\$input\.([\w-]+) == true \|\| \$input\.\1 == false\)", "", unguarded)
    unguarded = re.sub(r"#if\(\$input\.[\w-]+ == false\)", "", unguarded)
    assert "input." not in unguarded
    url = request["requestUrlTemplate"]
    assert "input." not in re.sub(r"\$esc\.url\(\$\{input\.[\w-]+\}\)", "", url)


def test_web_services_action_sends_the_api_key_from_the_credential() -> None:
    request = ACTIONS["web-services"]["config"]["request"]
    assert ACTIONS["web-services"]["integrationType"] == "custom-rest-actions"
    assert request["requestType"] == "PATCH"
    assert request["headers"] == {"x-api-key": "${credentials.apiKey}", "Content-Type": "application/json"}
    assert render(request["headers"]["x-api-key"], {}, {"apiKey": API_KEY}) == API_KEY


def test_lambda_action_invokes_the_alias() -> None:
    action = ACTIONS["aws-lambda"]
    assert action["integrationType"] == "aws-lambda-data-actions"
    assert action["config"]["request"]["requestUrlTemplate"].endswith(":live")


def test_action_timeout_outlasts_the_service_budget(action: dict[str, Any]) -> None:
    assert action["config"]["timeoutSeconds"] > 10  # REQUEST_BUDGET_SECONDS's default


# --- What the templates render is what the handler accepts ------------------------------------------


def render_web_services(
    inputs: Mapping[str, object], options: ActionOptions | None = None
) -> tuple[str, str, bytes]:
    request = web_services_action(options or ActionOptions())["config"]["request"]
    url = render(request["requestUrlTemplate"], inputs)
    match = re.search(
        r"/conversations/([^/]+)/participants/([^/]+)/attributes$", urllib.parse.urlsplit(url).path
    )
    assert match, url
    conversation, participant = (urllib.parse.unquote_plus(segment) for segment in match.groups())
    return conversation, participant, render(request["requestTemplate"], inputs).encode("utf-8")


def render_lambda_event(inputs: Mapping[str, object]) -> object:
    return json.loads(render(lambda_action(ActionOptions())["config"]["request"]["requestTemplate"], inputs))


SUBSETS = [
    dict(zip(names, values, strict=False))
    for size in range(1, len(DEFAULT_ATTRIBUTES) + 1)
    for names in itertools.combinations(DEFAULT_ATTRIBUTES, size)
    for values in [["gold", "2", "billing"], TRICKY_VALUES[:3], TRICKY_VALUES[3:]]
]


@pytest.mark.parametrize("attributes", SUBSETS, ids=lambda attributes: "+".join(attributes))
@pytest.mark.parametrize("participant", ["customer", "CUSTOMER", "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"])
def test_rendered_requests_are_accepted(attributes: dict[str, str], participant: str) -> None:
    inputs = {"conversationId": CONVERSATION_ID, "participantId": participant, **attributes}

    from_http = update_from_http(*render_web_services(inputs), LIMITS)
    from_event = update_from_event(render_lambda_event(inputs), LIMITS)

    assert from_http == from_event
    assert dict(from_http.attributes) == attributes  # only the provided ones, values intact
    assert from_http.conversation_id == CONVERSATION_ID
    assert from_http.participant_id == participant.lower()


@pytest.mark.parametrize(("given", "sent"), [(None, None), (True, True), (False, False)])
def test_the_queue_opt_out_is_sent_only_when_set_and_as_a_boolean(
    given: bool | None, sent: bool | None
) -> None:
    inputs: dict[str, object] = {
        "conversationId": CONVERSATION_ID,
        "participantId": "customer",
        "ivrChoice": "billing",
    }
    if given is not None:
        inputs["queueIfUnavailable"] = given

    conversation, participant, body = render_web_services(inputs)
    event = render_lambda_event(inputs)

    assert isinstance(event, dict)
    for document in (json.loads(body), event):
        assert document.get("queueIfUnavailable", "absent") == ("absent" if sent is None else sent)
    expected = given is not False  # unset means true
    assert update_from_http(conversation, participant, body, LIMITS).queue_if_unavailable is expected
    assert update_from_event(event, LIMITS).queue_if_unavailable is expected


def test_no_attribute_gives_a_valid_body_that_the_service_refuses() -> None:
    from participant_data.errors import InvalidRequest

    inputs = {"conversationId": CONVERSATION_ID, "participantId": "customer"}
    _, _, body = render_web_services(inputs)
    assert json.loads(body) == {"attributes": {}}
    with pytest.raises(InvalidRequest, match="empty"):
        update_from_http(*render_web_services(inputs), LIMITS)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(DEFAULT_ATTRIBUTES),
        st.text(st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from("\t\n\r"), max_size=40),
        min_size=1,
    )
)
def test_any_values_survive_the_round_trip(attributes: dict[str, str]) -> None:
    inputs = {"conversationId": CONVERSATION_ID, "participantId": "customer", **attributes}

    assert dict(update_from_http(*render_web_services(inputs), LIMITS).attributes) == attributes
    assert dict(update_from_event(render_lambda_event(inputs), LIMITS).attributes) == attributes


# --- Options -------------------------------------------------------------------------------------------


def test_custom_attributes_and_deployed_urls() -> None:
    stack_output = (
        "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
        "/conversations/{conversationId}/participants/{participantId}/attributes"
    )
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:stack-ParticipantDataFunction-X:live"
    options = ActionOptions(
        attributes=("ivr_choice", "customer_tier"), api_url=stack_output, function_arn=arn
    )
    inputs = {"conversationId": CONVERSATION_ID, "participantId": "customer", "customer_tier": "gold"}

    url = render(web_services_action(options)["config"]["request"]["requestUrlTemplate"], inputs)

    assert url == stack_output.format(conversationId=CONVERSATION_ID, participantId="customer")
    assert render_web_services(inputs, options)[2] == b'{"attributes": {"customer_tier": "gold"}}'
    assert lambda_action(options)["config"]["request"]["requestUrlTemplate"] == arn
    stage_url = ActionOptions(api_url="https://abc123.execute-api.eu-west-1.amazonaws.com/prod/")
    assert render(web_services_action(stage_url)["config"]["request"]["requestUrlTemplate"], inputs) == url


@pytest.mark.parametrize(
    "names",
    [
        ("1st",),
        ("has space",),
        ("customer-tier",),
        ("rawRequest",),
        ("orgId",),
        ("conversationId",),
        ("queueIfUnavailable",),
        ("a", "a"),
        (),
    ],
)
def test_names_genesys_would_refuse_are_refused(names: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"must match|reserved|repeat|at least one"):
        ActionOptions(attributes=names)


def test_too_many_attribute_inputs_are_refused() -> None:
    names = tuple(f"a{index}" for index in range(LIMITS.max_attributes + 1))
    with pytest.raises(ValueError, match="at most"):
        data_actions.check_attribute_inputs(names)
