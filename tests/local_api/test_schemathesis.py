"""The published contract (contracts/openapi.json) against the local API and the real handler.

Schemathesis generates requests from the document, valid and invalid, sends them over HTTP with the API
key to the local API (the real handler, the Genesys emulator, moto_server) and checks every answer: no
server error, a status the document declares, its content type, and a body and headers that match the
document. The emulator is healthy, so any 5xx is a real bug. Derandomized and without an example
database, so every run sends the same requests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from localdev.local_api import LocalApi
from localdev.stack import LocalStack
from tests.local_api.conftest import API_KEY

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

schema = schemathesis.openapi.from_path(CONTRACT)
deterministic = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    # One local API (and stack) serves every example of a test: that is the point of the fixtures.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def call_and_validate(case: Case[Any], api: LocalApi) -> None:
    case.call_and_validate(base_url=api.url, headers={"x-api-key": API_KEY}, checks=CHECKS, timeout=30)


@schema.parametrize()
@deterministic
def test_the_local_api_keeps_the_contract(case: Case[Any], local_api: LocalApi) -> None:
    """Generated IDs: conversations Genesys does not know (404), malformed IDs and bodies (400), ..."""
    call_and_validate(case, local_api)


@schema.parametrize()
@deterministic
def test_the_contract_holds_for_a_live_conversation(
    case: Case[Any], local_api: LocalApi, stack: LocalStack
) -> None:
    """The seeded conversation and customer (by ID, or by the alias when one was generated), so that
    generated bodies reach Genesys and valid ones are set (200)."""
    if case.path_parameters is not None:
        alias = str(case.path_parameters.get("participantId", "")).lower() == "customer"
        case.path_parameters["conversationId"] = stack.conversation_id
        case.path_parameters["participantId"] = "customer" if alias else stack.customer_id
    call_and_validate(case, local_api)
