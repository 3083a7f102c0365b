"""The service's input and output shapes as JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), taken
from the code that enforces them: participant_data.validation (patterns, field names, value kinds),
settings.Limits (the default limits), models (the `customer` alias, the result) and errors (the error body).

Every schema describes what the service accepts or answers, never more: where a rule cannot be said in
JSON Schema (the body's byte limit, unassigned or astral characters in keys) the schema is narrower or
says it in its description, so a client that follows it is not refused for a reason it could not see.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from api_contracts.charclass import character_class
from participant_data import validation
from participant_data.errors import ServiceError
from participant_data.models import CUSTOMER_ALIAS, UpdateResult
from participant_data.settings import Limits

Schema = dict[str, Any]

DEFAULT_LIMITS = Limits()
# Python's `$` also matches before a final newline (`re.match("^a$", "a\n")`), so a pattern that ends in
# `$` would let Python-based tools (jsonschema, schemathesis) accept or generate a trailing "\n".
# `(?!\n)` after `$` rules that out; in ECMA-262, where `$` is the end of the text, it changes nothing.
END = "$(?!\\n)"
_UUID = validation.UUID.pattern


def _caseless(word: str) -> str:
    """`customer` -> `[Cc][Uu]...`: validation compares the alias after str.lower()."""
    return "".join(f"[{char.upper()}{char}]" for char in word)


CONVERSATION_ID: Schema = {
    "type": "string",
    "pattern": f"^{_UUID}{END}",
    "description": "The conversation's UUID (`Call.ConversationId` in Architect), in any letter case.",
}
PARTICIPANT_ID: Schema = {
    "type": "string",
    "pattern": f"^(?:{_UUID}|{_caseless(CUSTOMER_ALIAS)}){END}",
    "description": (
        f"A participant UUID, or `{CUSTOMER_ALIAS}` (any letter case): the conversation's participant whose"
        " purpose is customer."
    ),
}


def _key_char(char: str) -> bool:
    return unicodedata.category(char) not in validation.BAD_KEY_CATEGORIES


def _value_control(char: str) -> bool:
    return (
        unicodedata.category(char) in validation.BAD_VALUE_CATEGORIES
        and char not in validation.VALUE_WHITESPACE
    )


def attribute_key(limits: Limits = DEFAULT_LIMITS) -> Schema:
    spaces = character_class(lambda char: _key_char(char) and char.isspace())
    visible = character_class(lambda char: _key_char(char) and not char.isspace())
    description = (
        "Not blank; no control, format, private-use, unassigned or line/paragraph-separator characters."
        " Keys are case-sensitive; spaces and dots are allowed."
    )
    if limits.restricts_keys:
        description += " Only the keys the operator allows (ALLOWED_ATTRIBUTE_KEYS, _PREFIXES)."
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": limits.max_key_length,
        # Runs of spaces each followed by a visible character, then spaces: at least one visible one.
        "pattern": f"^(?:{spaces}*{visible})+{spaces}*{END}",
        "description": description,
    }


def attribute_value(limits: Limits = DEFAULT_LIMITS) -> Schema:
    return {
        "oneOf": [
            {
                "type": "string",
                "maxLength": limits.max_value_length,
                "pattern": f"^{character_class(_value_control, negated=True)}*$",
                "description": 'No control characters but tab and line breaks; "" is how a key is cleared.',
            },
            {"type": "number", "description": 'Stored as its JSON text: 5 becomes "5".'},
            {"type": "boolean", "description": 'Stored as "true" or "false".'},
        ],
    }


def attributes(limits: Limits = DEFAULT_LIMITS) -> Schema:
    return {
        "type": "object",
        "minProperties": 1,
        "maxProperties": limits.max_attributes,
        "propertyNames": attribute_key(limits),
        "additionalProperties": attribute_value(limits),
        "description": "The keys to set; other keys of the participant are kept (Genesys merges per key).",
    }


# validation.QUEUE_OPT_OUT: optional in both the HTTP body and the direct event.
QUEUE_IF_UNAVAILABLE: Schema = {
    "type": ["boolean", "null"],
    "description": (
        "Default true (null too): a write Genesys cannot take within the time budget (rate limits,"
        " outages, timeouts) is kept in the service's outbox and applied in order later; the answer says"
        " `queued: true`. False: the write happens now or the request fails, never queued (for a flow that"
        " must know the value is in Genesys before it goes on). Ignored where no outbox is deployed."
    ),
}


def request_body(limits: Limits = DEFAULT_LIMITS) -> Schema:
    """The HTTP body (validation.update_from_http)."""
    return _closed_object(
        validation.BODY_FIELDS,
        {"attributes": attributes(limits), validation.QUEUE_OPT_OUT: QUEUE_IF_UNAVAILABLE},
        required={"attributes"},
        description=f"At most {limits.max_body_bytes} bytes of UTF-8 JSON, without repeated keys.",
    )


def direct_event(limits: Limits = DEFAULT_LIMITS) -> Schema:
    """The event of a direct invocation (validation.update_from_event)."""
    return _closed_object(
        validation.EVENT_FIELDS,
        {
            "conversationId": CONVERSATION_ID,
            "participantId": PARTICIPANT_ID,
            "attributes": attributes(limits),
            validation.QUEUE_OPT_OUT: QUEUE_IF_UNAVAILABLE,
        },
        required={"conversationId", "participantId", "attributes"},
        description=f"At most {limits.max_body_bytes} bytes as UTF-8 JSON.",
    )


def update_result(limits: Limits = DEFAULT_LIMITS) -> Schema:
    """models.UpdateResult.to_dict(): the 200 answer, and what a direct invocation returns."""
    sample = UpdateResult("c", "p", ("k",)).to_dict()
    return _closed_object(
        sample.keys(),
        {
            "conversationId": CONVERSATION_ID,
            "participantId": {
                "type": "string",
                "pattern": f"^(?:{_UUID}|{CUSTOMER_ALIAS}){END}",
                "description": (
                    f"The participant's UUID (the alias resolved); when queued, as the request named it,"
                    f" so `{CUSTOMER_ALIAS}` stays `{CUSTOMER_ALIAS}` (resolved when the write is applied)."
                ),
            },
            "updatedKeys": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": limits.max_attributes,
                "description": "The keys set, in request order.",
            },
            "updatedCount": {"type": "integer", "minimum": 1, "maximum": limits.max_attributes},
            "queued": {
                "type": "boolean",
                "description": (
                    "False: Genesys took the write. True: Genesys could not take it in time, and it waits in"
                    " the service's outbox to be applied in order; until then Genesys (and a flow's Get"
                    " Participant Data) does not show the values."
                ),
            },
        },
    )


def error_body() -> Schema:
    """ServiceError.to_body(): every error the service answers itself."""
    sample = ServiceError("m", retry_after=1).to_body()
    return _closed_object(
        sample.keys(),
        {
            "code": {"type": "string", "description": "Machine-readable, e.g. invalid_request."},
            "message": {"type": "string", "description": "For people; never carries values or secrets."},
            "retryAfterSeconds": {
                "type": "integer",
                "minimum": 0,
                "description": "When Genesys asked to wait (with a Retry-After header).",
            },
        },
        required={"code", "message"},
    )


# API Gateway's own answers (missing or wrong API key, throttling, integration failures) have this body.
GATEWAY_ERROR: Schema = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "examples": ["Forbidden"]}},
    "additionalProperties": False,
}


def _closed_object(
    fields: Any,
    properties: Schema,
    *,
    required: set[str] | None = None,
    description: str | None = None,
) -> Schema:
    """An object with exactly these properties; fails loudly when the code's field list has drifted."""
    if set(fields) != set(properties):
        raise ValueError(f"schema fields {sorted(properties)} differ from the code's {sorted(fields)}")
    schema: Schema = {
        "type": "object",
        "required": sorted(required if required is not None else properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema
