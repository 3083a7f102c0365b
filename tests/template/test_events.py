"""The sample events in events/: each of the kind its name says, the API events on the template's route,
all of them carrying the same request, and each described in events/README.md."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.template.sam import REPO_ROOT

EVENTS_DIR = REPO_ROOT / "events"
# The one request every event carries (events/README.md); the other events say it as API Gateway would.
REFERENCE = "direct-invocation.json"
CUSTOMER_ALIAS = "api-gateway-rest-customer-alias.json"
BASE64_BODY = "api-gateway-rest-base64.json"
REST_EVENTS = ["api-gateway-rest.json", BASE64_BODY, CUSTOMER_ALIAS]
HTTP_EVENT = "api-gateway-http.json"
_README_ENTRY = re.compile(r"^\|\s*`([^`]+\.json)`\s*\|", re.MULTILINE)


def _event_files() -> list[Path]:
    return sorted(EVENTS_DIR.glob("*.json"))


def _load(name: str) -> dict[str, Any]:
    event = json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(event, dict), f"{name} is not a JSON object"
    return event


def _kind(name: str) -> str:
    """The kind of event a file's name announces."""
    for prefix, kind in (("api-gateway-rest", "rest"), ("api-gateway-http", "http"), ("direct-", "direct")):
        if name.startswith(prefix):
            return kind
    return "scheduled" if name.startswith("scheduled") else "unknown"


def _body(event: dict[str, Any]) -> Any:
    raw = event["body"]
    return json.loads(base64.b64decode(raw).decode() if event["isBase64Encoded"] else raw)


def _concrete(route_path: str, path_parameters: dict[str, str]) -> str:
    assert set(re.findall(r"\{(\w+)\}", route_path)) == set(path_parameters)
    return route_path.format(**path_parameters)


def test_the_readme_describes_exactly_the_sample_events() -> None:
    described = _README_ENTRY.findall((EVENTS_DIR / "README.md").read_text(encoding="utf-8"))
    assert sorted(described) == [path.name for path in _event_files()]


@pytest.mark.parametrize("path", _event_files(), ids=lambda path: path.name)
def test_each_event_is_of_the_kind_its_name_says(path: Path) -> None:
    # The same tests src/handler/app.py makes to tell the kinds apart.
    event = _load(path.name)
    shapes = {
        "rest": "httpMethod" in event and isinstance(event.get("requestContext"), dict),
        "http": event.get("version") == "2.0" and "routeKey" in event,
        "scheduled": event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event",
        "direct": {"conversationId", "participantId", "attributes"} <= set(event),
    }
    assert [kind for kind, matches in shapes.items() if matches] == [_kind(path.name)]


@pytest.mark.parametrize("name", REST_EVENTS)
def test_rest_api_events_are_on_the_templates_route(route: dict[str, Any], name: str) -> None:
    event = _load(name)
    context = event["requestContext"]
    assert event["resource"] == context["resourcePath"] == route["Path"]
    assert event["httpMethod"] == context["httpMethod"] == route["Method"].upper()
    assert event["path"] == _concrete(route["Path"], event["pathParameters"])
    assert context["path"] == f"/{context['stage']}{event['path']}"
    assert event["headers"]["x-api-key"] == context["identity"]["apiKey"]
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["isBase64Encoded"] is (name == BASE64_BODY)


def test_the_http_api_event_is_on_the_templates_route(route: dict[str, Any]) -> None:
    event = _load(HTTP_EVENT)
    method = route["Method"].upper()
    assert event["routeKey"] == event["requestContext"]["routeKey"] == f"{method} {route['Path']}"
    assert event["requestContext"]["http"]["method"] == method
    path = _concrete(route["Path"], event["pathParameters"])
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == path
    assert event["headers"]["x-api-key"]
    assert event["headers"]["content-type"] == "application/json"


@pytest.mark.parametrize("name", [*REST_EVENTS, HTTP_EVENT])
def test_every_api_event_carries_the_same_request_as_the_direct_invocation(name: str) -> None:
    reference = _load(REFERENCE)
    event = _load(name)
    participant = "customer" if name == CUSTOMER_ALIAS else reference["participantId"]
    assert event["pathParameters"] == {
        "conversationId": reference["conversationId"],
        "participantId": participant,
    }
    assert _body(event) == {"attributes": reference["attributes"]}
