"""The two Genesys Cloud data actions that call the service, in the JSON form Genesys's Import accepts.

Top-level fields as in Genesys's exported actions (`name`, `integrationType`, `actionType`, `contract`,
`config`, `secure`; docs/data-actions.md cites the examples). Both contracts come from api_contracts.schema
(the handler's own validation rules) and follow Genesys's contract rules
(docs/genesys-facts.md#web-services-data-actions): a flat input of string/integer/number/boolean properties
named `[A-Za-z][A-Za-z0-9_-]*`, none of the reserved names, and an output without nested arrays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api_contracts import schema, velocity
from participant_data.handlers.api_gateway import ROUTE_TEMPLATE
from participant_data.models import CUSTOMER_ALIAS
from participant_data.settings import Settings
from participant_data.validation import QUEUE_OPT_OUT

# The product's examples; `make data-actions ATTRIBUTES="a b c"` chooses others.
DEFAULT_ATTRIBUTES = ("customerTier", "ivrChoice", "priority")
API_URL_PLACEHOLDER = "https://REPLACE_API_ID.execute-api.REPLACE_REGION.amazonaws.com/prod"
FUNCTION_ARN_PLACEHOLDER = "arn:aws:lambda:REPLACE_REGION:REPLACE_ACCOUNT:function:REPLACE_FUNCTION:live"
CREDENTIAL_FIELD = "apiKey"

WEB_SERVICES_INTEGRATION = "custom-rest-actions"
LAMBDA_INTEGRATION = "aws-lambda-data-actions"

# Genesys's rules for input contract property names ("Add contracts to custom actions").
INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# Attribute inputs also appear as `$input.name` in the templates' #if guards, and Velocity 2 reads a hyphen
# there as a minus sign: attribute names keep to letters, digits and underscores.
ATTRIBUTE_INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_INPUT_NAMES = frozenset({"orgId", "integrationId", "rawRequest"})
ID_INPUTS = ("conversationId", "participantId")

_DEFAULT_BUDGET_SECONDS = Settings(genesys_secret_id="").request_budget_seconds  # nosec B106  # an ID, unused
# The action's timeout (1-60 s) must outlast the service's own budget, or Genesys gives up on an answer
# that is still coming; the margin covers a cold start and the network.
ACTION_TIMEOUT_SECONDS = int(_DEFAULT_BUDGET_SECONDS) + 5


@dataclass(frozen=True, slots=True)
class ActionOptions:
    attributes: tuple[str, ...] = DEFAULT_ATTRIBUTES
    api_url: str = API_URL_PLACEHOLDER
    function_arn: str = FUNCTION_ARN_PLACEHOLDER

    def __post_init__(self) -> None:
        check_attribute_inputs(self.attributes)


def check_attribute_inputs(names: Sequence[str]) -> None:
    """Raise ValueError unless every name can be a Genesys input and a service attribute key."""
    pattern = ATTRIBUTE_INPUT_NAME
    problems = [f"{name!r} must match {pattern.pattern}" for name in names if not pattern.match(name)]
    taken = RESERVED_INPUT_NAMES | set(ID_INPUTS) | {QUEUE_OPT_OUT}
    problems += [
        f"{name!r} is reserved by Genesys or names an ID or option" for name in names if name in taken
    ]
    if len(set(names)) != len(names):
        problems.append("attribute names repeat")
    if not names:
        problems.append("name at least one attribute")
    if len(names) > schema.DEFAULT_LIMITS.max_attributes:
        problems.append(f"at most {schema.DEFAULT_LIMITS.max_attributes} attributes")
    if problems:
        raise ValueError("; ".join(problems))


def web_services_action(options: ActionOptions) -> dict[str, Any]:
    """PATCH to the deployed API, the API key from a User Defined credential (field `apiKey`)."""
    return _action(
        name="Set Participant Data (Web Services)",
        integration_type=WEB_SERVICES_INTEGRATION,
        options=options,
        request={
            "requestUrlTemplate": _request_url(options.api_url),
            "requestType": "PATCH",
            "headers": {
                "x-api-key": f"${{credentials.{CREDENTIAL_FIELD}}}",
                "Content-Type": "application/json",
            },
            "requestTemplate": velocity.request_template(
                velocity.json_object(
                    [("attributes", velocity.attributes_object(options.attributes))], [QUEUE_OPT_OUT]
                )
            ),
        },
    )


def lambda_action(options: ActionOptions) -> dict[str, Any]:
    """Invokes the function's `live` alias with the direct-invocation event (validation.update_from_event)."""
    return _action(
        name="Set Participant Data (AWS Lambda)",
        integration_type=LAMBDA_INTEGRATION,
        options=options,
        request={
            "requestUrlTemplate": options.function_arn,
            "requestType": "POST",
            "headers": {},
            "requestTemplate": velocity.request_template(
                velocity.json_object(
                    [(name, velocity.json_string(name)) for name in ID_INPUTS]
                    + [("attributes", velocity.attributes_object(options.attributes))],
                    [QUEUE_OPT_OUT],
                )
            ),
        },
    )


def _action(
    *, name: str, integration_type: str, options: ActionOptions, request: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": name,
        "integrationType": integration_type,
        "actionType": "custom",
        "secure": False,
        "contract": {
            "input": {"inputSchema": input_schema(options.attributes)},
            "output": {"successSchema": output_schema()},
        },
        "config": {
            "request": request,
            # The service answers the result object itself: no translation needed.
            "response": {
                "translationMap": {},
                "translationMapDefaults": {},
                "successTemplate": "${rawResult}",
            },
            "timeoutSeconds": ACTION_TIMEOUT_SECONDS,
        },
    }


def _request_url(api_url: str) -> str:
    """From the stack output ParticipantDataApiUrl (with its `{conversationId}` placeholders) or the stage
    URL, the URL with each ID escaped into its path segment."""
    url = api_url.rstrip("/")
    if "{conversationId}" not in url:
        url += ROUTE_TEMPLATE
    for name in ID_INPUTS:
        url = url.replace(f"{{{name}}}", velocity.url_segment(name))
    return url


def input_schema(attribute_inputs: Sequence[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "conversationId": {
            "type": "string",
            "description": "The conversation: Call.ConversationId in a call flow.",
        },
        "participantId": {
            "type": "string",
            "description": f'"{CUSTOMER_ALIAS}" (the caller), or a participant ID.',
        },
    }
    properties[QUEUE_OPT_OUT] = {
        "type": "boolean",
        "description": (
            "Leave unset (or true) to have a write Genesys cannot take now kept by the service and applied"
            " later: the output `queued` is then true and the values are not readable yet. False: the"
            " write happens now or the action fails."
        ),
    }
    limits = schema.DEFAULT_LIMITS
    for name in attribute_inputs:
        properties[name] = {
            "type": "string",
            "description": (
                f"Sets the participant attribute {name} (at most {limits.max_value_length} characters;"
                ' "" clears it). Leave it unset to keep the current value.'
            ),
        }
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Set participant data",
        "description": "Merges the provided attributes into the participant's data; at least one is needed.",
        "type": "object",
        "required": list(ID_INPUTS),
        "properties": properties,
        "additionalProperties": True,
    }


def output_schema() -> dict[str, Any]:
    """models.UpdateResult.to_dict() as Genesys's output contract: the same fields, plain types only."""
    result = schema.update_result()
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Participant data set",
        "type": "object",
        "required": result["required"],
        "properties": {name: _plain(prop) for name, prop in result["properties"].items()},
        "additionalProperties": True,
    }


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """A property with its type (and an array's item type) only: Genesys's output contracts want plain
    JSON Schema, and the values are the service's, already checked."""
    plain: dict[str, Any] = {"type": prop["type"]}
    if prop["type"] == "array":
        plain["items"] = {"type": prop["items"]["type"]}
    if "description" in prop:
        plain["description"] = prop["description"]
    return plain
