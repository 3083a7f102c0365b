"""The local API answers as the deployed API Gateway REST API would, and drives the real handler.

Requests go over real HTTP to the local API; the handler talks to the Genesys emulator and moto_server.
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from genesys_emulator import Fault
from localdev.local_api import LAMBDA_EVENT_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES, LocalApi, route_from_template
from localdev.stack import LocalStack
from tests.events import event as sample_event
from tests.local_api.conftest import API_KEY

ROUTE = "/conversations/{conversationId}/participants/{participantId}/attributes"
BODY = {"attributes": {"ivr_choice": "billing", "priority_level": 5}}
JSON_HEADERS = {"x-api-key": API_KEY, "Content-Type": "application/json"}


def route_url(api: LocalApi, stack: LocalStack, participant: str | None = None) -> str:
    path = ROUTE.format(conversationId=stack.conversation_id, participantId=participant or stack.customer_id)
    return f"{api.url}{path}"


def patch(
    url: str, body: object = BODY, headers: dict[str, str] | None = None, **kwargs: Any
) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.patch(
        url, data=data, headers=JSON_HEADERS if headers is None else headers, timeout=30, **kwargs
    )


@pytest.fixture
def recorded_events(local_api: LocalApi) -> Iterator[list[dict[str, Any]]]:
    """The events the local API hands to the (real) handler, exactly as built."""
    events: list[dict[str, Any]] = []
    real_handler = local_api.handler

    def recording(event: dict[str, Any], context: Any) -> Any:
        events.append(json.loads(json.dumps(event)))
        return real_handler(event, context)

    local_api.handler = recording
    yield events
    local_api.handler = real_handler


def test_route_is_read_from_the_template() -> None:
    route = route_from_template()

    assert (route.resource, route.method, route.stage) == (ROUTE, "PATCH", "prod")
    assert route.api_key_required
    assert route.function_timeout_seconds == 27


def test_patch_sets_the_attributes_in_genesys(
    local_api: LocalApi, stack: LocalStack, request_log: list[str]
) -> None:
    response = patch(route_url(local_api, stack))

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]
    assert response.json() == {
        "conversationId": stack.conversation_id,
        "participantId": stack.customer_id,
        "updatedKeys": ["ivr_choice", "priority_level"],
        "updatedCount": 2,
        "queued": False,
    }
    assert stack.customer_attributes() == {
        "language": "en-US",
        "ivr_choice": "billing",
        "priority_level": "5",
    }
    (line,) = request_log
    assert line.startswith(f"PATCH {local_api.url.removeprefix(f'http://127.0.0.1:{local_api.port}')}/conv")
    assert " 200 " in line
    assert line.endswith(" ms")


def test_the_customer_alias_resolves(local_api: LocalApi, stack: LocalStack) -> None:
    response = patch(route_url(local_api, stack, participant="customer"))

    assert response.status_code == 200, response.text
    assert response.json()["participantId"] == stack.customer_id


@pytest.mark.parametrize(
    "key", [None, "", "wrong-key", API_KEY.upper()], ids=["none", "empty", "wrong", "case"]
)
def test_a_missing_or_wrong_api_key_is_forbidden(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]], key: str | None
) -> None:
    headers = {"Content-Type": "application/json"} | ({"x-api-key": key} if key is not None else {})

    response = patch(route_url(local_api, stack), headers=headers)

    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert recorded_events == []
    assert stack.genesys.requests == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/prod" + ROUTE),
        ("POST", "/prod" + ROUTE),
        ("PUT", "/prod" + ROUTE),
        ("DELETE", "/prod" + ROUTE),
        ("OPTIONS", "/prod" + ROUTE),
        ("PATCH", ROUTE),  # no stage
        ("PATCH", "/staging" + ROUTE),
        ("PATCH", "/prod" + ROUTE + "/"),
        ("PATCH", "/prod" + ROUTE.replace("{conversationId}", "")),
        ("PATCH", "/prod/conversations"),
        ("GET", "/"),
    ],
)
def test_an_unknown_route_or_method_is_missing_authentication_token(
    local_api: LocalApi, recorded_events: list[dict[str, Any]], method: str, path: str
) -> None:
    path = path.replace("{conversationId}", "c").replace("{participantId}", "p")
    url = f"http://127.0.0.1:{local_api.port}{path}"

    response = requests.request(method, url, headers=JSON_HEADERS, data=b"{}", timeout=30)

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert recorded_events == []


def test_the_event_has_api_gateway_shape_and_the_real_handler_accepts_it(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]]
) -> None:
    response = patch(route_url(local_api, stack) + "?a=1&a=2&b=", headers=JSON_HEADERS | {"X-Extra": "x"})

    assert response.status_code == 200, response.text
    (built,) = recorded_events
    sample = sample_event("api-gateway-rest")
    assert built.keys() == sample.keys()
    assert built["requestContext"].keys() == sample["requestContext"].keys()
    assert built["requestContext"]["identity"].keys() == sample["requestContext"]["identity"].keys()
    path = ROUTE.format(conversationId=stack.conversation_id, participantId=stack.customer_id)
    assert built["resource"] == built["requestContext"]["resourcePath"] == ROUTE
    assert built["path"] == path
    assert built["requestContext"]["path"] == "/prod" + path
    assert built["httpMethod"] == built["requestContext"]["httpMethod"] == "PATCH"
    assert built["requestContext"]["stage"] == "prod"
    assert built["pathParameters"] == {
        "conversationId": stack.conversation_id,
        "participantId": stack.customer_id,
    }
    assert built["queryStringParameters"] == {"a": "2", "b": ""}
    assert built["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert built["stageVariables"] is None
    assert built["headers"]["X-Extra"] == "x"
    assert built["multiValueHeaders"]["X-Extra"] == ["x"]
    assert built["requestContext"]["identity"]["apiKey"] == API_KEY
    assert built["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert json.loads(built["body"]) == BODY
    assert built["isBase64Encoded"] is False


def test_each_request_gets_a_fresh_request_id(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]]
) -> None:
    for _ in range(2):
        assert patch(route_url(local_api, stack)).status_code == 200

    first, second = (event["requestContext"]["requestId"] for event in recorded_events)
    assert first != second


def test_without_a_query_or_body_those_fields_are_null(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]]
) -> None:
    response = patch(route_url(local_api, stack), body=b"")

    assert response.status_code == 400  # the handler's own answer to an empty body
    (built,) = recorded_events
    assert built["queryStringParameters"] is None
    assert built["multiValueQueryStringParameters"] is None
    assert built["body"] is None


def test_a_body_that_is_not_utf8_is_sent_base64_encoded(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]]
) -> None:
    raw = b'{"attributes": {"k": "\xff\xfe"}}'

    response = patch(route_url(local_api, stack), body=raw)

    (built,) = recorded_events
    assert built["isBase64Encoded"] is True
    assert base64.b64decode(built["body"]) == raw
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_a_chunked_body_is_read(local_api: LocalApi, stack: LocalStack) -> None:
    chunks = iter([b'{"attributes": ', b'{"ivr_choice": "sales"}}'])

    response = requests.patch(route_url(local_api, stack), data=chunks, headers=JSON_HEADERS, timeout=30)

    assert response.status_code == 200, response.text
    assert stack.customer_attributes()["ivr_choice"] == "sales"


def test_an_error_answer_passes_through_with_its_headers(local_api: LocalApi, stack: LocalStack) -> None:
    stack.genesys.inject_fault(Fault(status=429, retry_after=120, count=10, method="PATCH"))

    response = patch(route_url(local_api, stack))

    assert response.status_code == 429
    assert response.json()["code"] == "genesys_rate_limited"
    assert response.headers["Retry-After"] == str(response.json()["retryAfterSeconds"])
    assert response.headers["Content-Type"] == "application/json"


def test_a_body_over_api_gateways_payload_quota_is_refused_unread(local_api: LocalApi) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", local_api.port, timeout=30)
    connection.putrequest("PATCH", "/prod" + ROUTE)
    connection.putheader("Content-Length", str(PAYLOAD_LIMIT_BYTES + 1))
    connection.putheader("x-api-key", API_KEY)
    connection.endheaders()

    response = connection.getresponse()

    assert response.status == 413
    assert response.getheader("Connection") == "close"
    connection.close()


def test_an_event_over_lambdas_payload_quota_is_request_too_long(
    local_api: LocalApi, stack: LocalStack, recorded_events: list[dict[str, Any]]
) -> None:
    response = patch(route_url(local_api, stack), body={"attributes": {"k": "v" * LAMBDA_EVENT_LIMIT_BYTES}})

    assert response.status_code == 413
    assert response.json() == {"message": "Request Too Long"}
    assert recorded_events == []


def _raises(event: dict[str, Any], context: Any) -> Any:
    raise RuntimeError("boom")


def _hangs(event: dict[str, Any], context: Any) -> Any:
    time.sleep(5)
    return {"statusCode": 200, "body": "late"}


def _malformed(event: dict[str, Any], context: Any) -> Any:
    return {"status": 200}


@pytest.mark.parametrize("handler", [_raises, _hangs, _malformed], ids=["raises", "times-out", "malformed"])
def test_a_failed_invocation_is_internal_server_error(
    stack: LocalStack, handler: Callable[[dict[str, Any], Any], Any]
) -> None:
    route = dataclasses.replace(route_from_template(), function_timeout_seconds=0.5)
    log: list[str] = []
    with LocalApi(handler, API_KEY, route=route, log=log.append) as api:
        started = time.monotonic()
        response = patch(route_url(api, stack))

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    assert time.monotonic() - started < 4
    assert any("handler" in line for line in log)


def test_a_base64_answer_is_decoded(stack: LocalStack) -> None:
    def binary(event: dict[str, Any], context: Any) -> Any:
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "application/octet-stream", "X-One": "a"},
            "multiValueHeaders": {"X-One": ["b", "c"]},
            "body": base64.b64encode(b"\x00\xff").decode(),
            "isBase64Encoded": True,
        }

    with LocalApi(binary, API_KEY) as api:
        response = patch(route_url(api, stack))

    assert response.status_code == 201
    assert response.content == b"\x00\xff"
    assert response.headers["X-One"] == "b, c"  # multiValueHeaders win over headers for the same name


def test_invocations_run_one_at_a_time(stack: LocalStack) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def slow(event: dict[str, Any], context: Any) -> Any:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return {"statusCode": 200, "body": "{}"}

    with LocalApi(slow, API_KEY) as api:
        threads = [threading.Thread(target=patch, args=(route_url(api, stack),)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert most == 1


def test_an_answer_without_a_content_type_is_json(stack: LocalStack) -> None:
    def bare(event: dict[str, Any], context: Any) -> Any:
        return {"statusCode": 200, "body": "{}"}

    with LocalApi(bare, API_KEY) as api:
        response = patch(route_url(api, stack))

    assert response.headers["Content-Type"] == "application/json"  # API Gateway's default
