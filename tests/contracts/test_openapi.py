"""contracts/openapi.json is valid OpenAPI 3.1, in step with template.yaml's API, and its schemas say what
participant_data.validation accepts and what the handler answers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from api_contracts.files import OPENAPI_PATH, REPO_ROOT
from localdev.template import load_template
from participant_data import errors
from participant_data.errors import InvalidRequest, ServiceError
from participant_data.models import UpdateResult
from participant_data.settings import Limits
from participant_data.validation import update_from_http
from tests.template.sam import TEMPLATE_PATH

DOCUMENT: dict[str, Any] = json.loads((REPO_ROOT / OPENAPI_PATH).read_text(encoding="utf-8"))
(ROUTE, PATH_ITEM), *_ = DOCUMENT["paths"].items()
OPERATION = PATH_ITEM["patch"]
SCHEMAS = DOCUMENT["components"]["schemas"]
CONVERSATION_ID = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
LIMITS = Limits()


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A 2020-12 validator that resolves the document's `#/components/...` references."""
    resolvable = {**schema, "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(resolvable, format_checker=jsonschema.FormatChecker())


BODY = validator(OPERATION["requestBody"]["content"]["application/json"]["schema"])
PARAMETERS = {p["name"]: validator(p["schema"]) for p in OPERATION["parameters"]}


def accepted(conversation: str, participant: str, body: object) -> bool:
    try:
        update_from_http(conversation, participant, json.dumps(body).encode(), LIMITS)
    except InvalidRequest:
        return False
    return True


def described(conversation: str, participant: str, body: object) -> bool:
    return bool(
        PARAMETERS["conversationId"].is_valid(conversation)
        and PARAMETERS["participantId"].is_valid(participant)
        and BODY.is_valid(body)
    )


def test_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_in_step_with_the_template() -> None:
    template = load_template(TEMPLATE_PATH)
    resources = template["Resources"]
    events = resources["ParticipantDataFunction"]["Properties"]["Events"]
    api_events = [event["Properties"] for event in events.values() if event["Type"] == "Api"]

    assert [(event["Path"], event["Method"].lower()) for event in api_events] == [(ROUTE, "patch")]
    assert list(PATH_ITEM) == ["patch"]
    assert api_events[0]["Auth"]["ApiKeyRequired"] is True
    assert resources["ParticipantDataApi"]["Properties"]["Auth"]["ApiKeyRequired"] is True
    (requirement,) = OPERATION["security"]
    scheme = DOCUMENT["components"]["securitySchemes"][next(iter(requirement))]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "x-api-key"}


def test_every_status_the_service_or_api_gateway_answers_is_described() -> None:
    def subclasses(cls: type[ServiceError]) -> list[type[ServiceError]]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in subclasses(child))]

    statuses = {cls.status for cls in subclasses(ServiceError)} | {200, 403}
    assert statuses <= {int(status) for status in OPERATION["responses"]}
    assert errors.UpstreamRejected.status == 502  # the Genesys-refused-us codes are all 502


def test_answers_fit_their_schemas() -> None:
    responses = OPERATION["responses"]

    def body_schema(status: int) -> jsonschema.Draft202012Validator:
        return validator(responses[str(status)]["content"]["application/json"]["schema"])

    result = UpdateResult(CONVERSATION_ID, PARTICIPANT_ID, ("ivr_choice", "customer_tier")).to_dict()
    body_schema(200).validate(result)
    body_schema(200).validate(
        UpdateResult(CONVERSATION_ID, "customer", ("ivr_choice",), queued=True).to_dict()
    )
    body_schema(403).validate({"message": "Forbidden"})
    body_schema(429).validate(errors.RateLimited("wait", retry_after=3).to_body())
    body_schema(429).validate({"message": "Too Many Requests"})
    body_schema(400).validate(InvalidRequest("bad").to_body())
    assert not body_schema(400).is_valid({"message": "Forbidden"})
    assert not body_schema(200).is_valid({**result, "extra": 1})
    assert {"Retry-After"} <= set(responses["429"]["headers"])


@pytest.mark.parametrize(
    ("conversation", "participant", "body"),
    [
        (CONVERSATION_ID, "customer", {"attributes": {"ivr_choice": "billing", "priority": 5, "vip": True}}),
        (CONVERSATION_ID.upper(), "CuStOmEr", {"attributes": {"crm.case id": "", "ÉTAT": "ok\n"}}),
        (CONVERSATION_ID, PARTICIPANT_ID, {"attributes": {"k" * LIMITS.max_key_length: "v" * 2048}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b"}, "queueIfUnavailable": False}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b"}, "queueIfUnavailable": None}),
        (
            CONVERSATION_ID,
            PARTICIPANT_ID,
            {"attributes": {f"k{i}": "v" for i in range(LIMITS.max_attributes)}},
        ),
    ],
)
def test_accepted_requests_are_described(conversation: str, participant: str, body: object) -> None:
    assert accepted(conversation, participant, body)
    assert described(conversation, participant, body)


@pytest.mark.parametrize(
    ("conversation", "participant", "body"),
    [
        ("not-a-uuid", "customer", {"attributes": {"a": "b"}}),
        (CONVERSATION_ID + "\n", "customer", {"attributes": {"a": "b"}}),
        (CONVERSATION_ID, "customers", {"attributes": {"a": "b"}}),
        (CONVERSATION_ID, "customer", {"attributes": {}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b"}, "extra": 1}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b"}, "queueIfUnavailable": "false"}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b"}, "queueIfUnavailable": 0}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": None}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": ["b"]}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "b\x00"}}),
        (CONVERSATION_ID, "customer", {"attributes": {"   ": "b"}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a\n": "b"}}),
        (CONVERSATION_ID, "customer", {"attributes": {"zero\u200bwidth": "b"}}),
        (CONVERSATION_ID, "customer", {"attributes": {"k" * (LIMITS.max_key_length + 1): "b"}}),
        (CONVERSATION_ID, "customer", {"attributes": {"a": "v" * (LIMITS.max_value_length + 1)}}),
        (
            CONVERSATION_ID,
            "customer",
            {"attributes": {f"k{i}": "v" for i in range(LIMITS.max_attributes + 1)}},
        ),
    ],
)
def test_refused_requests_are_not_described(conversation: str, participant: str, body: object) -> None:
    assert not described(conversation, participant, body)


KEY_PATTERN = SCHEMAS["AttributesRequest"]["properties"]["attributes"]["propertyNames"]["pattern"]
VALUE_PATTERN = SCHEMAS["AttributesRequest"]["properties"]["attributes"]["additionalProperties"]["oneOf"][0][
    "pattern"
]


@settings(max_examples=200, deadline=None)
@given(
    key=st.from_regex(KEY_PATTERN).filter(lambda key: len(key) <= LIMITS.max_key_length),
    value=st.from_regex(VALUE_PATTERN).filter(lambda value: len(value) <= LIMITS.max_value_length),
)
def test_what_the_patterns_generate_is_accepted(key: str, value: str) -> None:
    """What a schema-driven client (schemathesis) generates from the document, the service accepts."""
    assert accepted(CONVERSATION_ID, "customer", {"attributes": {key: value}})


@settings(max_examples=200, deadline=None)
@given(key=st.text(min_size=1, max_size=20), value=st.text(max_size=20))
def test_what_the_document_describes_is_accepted(key: str, value: str) -> None:
    body = {"attributes": {key: value}}
    if BODY.is_valid(body):
        assert accepted(CONVERSATION_ID, "customer", body)
