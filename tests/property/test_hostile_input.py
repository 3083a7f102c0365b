"""Hostile input never yields a 5xx, an unhandled exception or a request to Genesys.

Every example runs the real Lambda handler (Powertools resolver, validation, error shaping) with Genesys
replaced by an in-process fake that records calls. Each malformed request must get a 4xx whose JSON body
has a code and a message that names the problem (matched against what the case broke), that carries no
attribute value, no secret and no internal exception text; the fake must have seen nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings

import app
from localdev.lambda_context import LocalLambdaContext
from participant_data.container import Dependencies
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.settings import load_settings
from tests.events import CONVERSATION, PARTICIPANT, api_event, response_header
from tests.property import tally
from tests.property.hostile import (
    VALUE_MARKER,
    Case,
    any_event_cases,
    api_body_cases,
    api_envelope_cases,
    direct_event_cases,
    valid_attributes,
)
from tests.unit.fakes import FakeGenesys

# Examples per test: 5000 + 2500 + 2000 + 1000 = 10,500 malformed requests per run.
EXAMPLES = {"api_body": 5000, "api_envelope": 2500, "direct_event": 2000, "any_event": 1000}
HOSTILE_INPUT = settings.get_profile("hostile-input")  # derandomized (conftest), applied per test only
SECRET_ID = "genesys/participant-data"
API_KEY = "EXAMPLEkeyDoNotUse"  # the sample events' x-api-key
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# Text that only an internal exception would put in a message.
INTERNAL_TEXT = re.compile(
    r"Traceback|Exception|Error\b|object has no attribute|not subscriptable|not iterable|"
    r"unexpected keyword|NoneType|\bline \d+|File \"",
)


@pytest.fixture
def genesys(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGenesys]:
    fake = FakeGenesys(customers={CONVERSATION: PARTICIPANT})
    deps = Dependencies(load_settings(), fake, CustomerParticipantCache(10))  # type: ignore[arg-type]
    for module in ("api_gateway", "direct_invocation", "scheduled"):
        monkeypatch.setattr(f"participant_data.handlers.{module}.dependencies", lambda: deps)
    yield fake
    assert fake.patches == []
    assert fake.lookups == []
    assert fake.health_checks == 0


def answer(case: Case) -> tuple[int, str, str]:
    """(status, code, message) the caller sees; a raised DataActionFailed is the direct path's answer."""
    try:
        response = app.lambda_handler(case.event, LocalLambdaContext())
    except DataActionFailed as failure:
        raised: DataActionFailed | None = failure
    else:
        raised = None
    if raised is not None:
        assert case.kind == "direct", f"{case.what}: an API event raised {raised}"
        code, _, message = str(raised).partition(": ")
        return raised.status, code.split(" ", 1)[1], message
    assert isinstance(response, dict), f"{case.what}: answered {response!r}"
    if case.kind == "direct" and "statusCode" not in response:
        pytest.fail(f"{case.what}: a malformed direct event succeeded: {response!r}")
    assert response_header(response, "Content-Type") == "application/json"
    body: dict[str, Any] = json.loads(response["body"])
    assert set(body) <= {"code", "message", "retryAfterSeconds"}, body
    return response["statusCode"], body["code"], body["message"]


def check(case: Case, genesys: FakeGenesys, name: str) -> None:
    status, code, message = answer(case)
    tally.COUNTS[name] += 1
    assert 400 <= status < 500, f"{case.what}: {status} {code}: {message}"
    assert case.allows(status), f"{case.what}: expected {case.status}, got {status} {code}: {message}"
    assert code, f"{case.what}: no code"
    assert message, f"{case.what}: no message"
    assert re.search(case.message, message), (
        f"{case.what}: the message does not name the problem: {message!r}"
    )
    assert VALUE_MARKER not in message, f"{case.what}: the message echoes a value: {message!r}"
    assert SECRET_ID not in message
    assert API_KEY not in message
    own_words = QUOTED.sub('""', message)  # the caller's own keys, quoted, may say anything
    assert not INTERNAL_TEXT.search(own_words), f"{case.what}: internal text in {message!r}"
    if genesys.patches or genesys.lookups:
        tally.REACHED_GENESYS += 1
        pytest.fail(f"{case.what}: reached Genesys: {genesys.patches or genesys.lookups}")


@settings(HOSTILE_INPUT, max_examples=EXAMPLES["api_body"])
@given(case=api_body_cases())
def test_malformed_bodies_get_a_4xx_naming_the_problem(genesys: FakeGenesys, case: Case) -> None:
    check(case, genesys, "api_body")


@settings(HOSTILE_INPUT, max_examples=EXAMPLES["api_envelope"])
@given(case=api_envelope_cases())
def test_wrong_methods_paths_ids_content_types_and_base64_get_a_4xx(genesys: FakeGenesys, case: Case) -> None:
    check(case, genesys, "api_envelope")


@settings(HOSTILE_INPUT, max_examples=EXAMPLES["direct_event"])
@given(case=direct_event_cases())
def test_malformed_direct_invocations_fail_with_a_4xx(genesys: FakeGenesys, case: Case) -> None:
    check(case, genesys, "direct_event")


@settings(HOSTILE_INPUT, max_examples=EXAMPLES["any_event"])
@given(case=any_event_cases())
def test_any_json_event_fails_cleanly(genesys: FakeGenesys, case: Case) -> None:
    check(case, genesys, "any_event")


@settings(HOSTILE_INPUT, max_examples=200)
@given(attributes=valid_attributes, kind=api_body_cases().map(lambda c: c.kind))
def test_the_valid_requests_the_cases_start_from_do_succeed(
    genesys: FakeGenesys, attributes: dict[str, object], kind: str
) -> None:
    """The control: without its one mutation, a case's request is accepted (so the 4xx are earned)."""
    response = app.lambda_handler(api_event(kind, body={"attributes": attributes}), LocalLambdaContext())

    assert response["statusCode"] == 200, response["body"]
    assert genesys.patches[-1][2].keys() == attributes.keys()
    genesys.patches.clear()
