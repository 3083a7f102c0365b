"""PATCH /api/v2/conversations/{cid}/participants/{pid}/attributes: validation, merge, recording."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
import urllib3
from urllib3 import BaseHTTPResponse

from genesys_emulator import MAX_REQUEST_BYTES, ConversationInfo, GenesysEmulator

ApiCall = Callable[..., BaseHTTPResponse]
AttributesUrl = Callable[..., str]


def customer(conversation: ConversationInfo) -> str:
    return conversation["participants"][0]["id"]


def test_patch_answers_202_with_an_empty_body_and_merges_per_key(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    answer = api("PATCH", attributes_url(conversation), json={"attributes": {"intent": "billing"}})

    assert answer.status == 202
    assert answer.data == b""
    assert emulator.participant_attributes(conversation["id"], customer(conversation)) == {
        "existing": "keep me",
        "intent": "billing",
    }


def test_patch_overwrites_only_the_keys_it_sends(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    api("PATCH", attributes_url(conversation), json={"attributes": {"a": "1", "b": "2"}})
    api("PATCH", attributes_url(conversation), json={"attributes": {"b": "3", "existing": ""}})

    assert emulator.participant_attributes(conversation["id"], customer(conversation)) == {
        "existing": "",
        "a": "1",
        "b": "3",
    }
    # The other participant is untouched.
    assert emulator.participant_attributes(conversation["id"], conversation["participants"][1]["id"]) == {}


def test_keys_are_case_sensitive_and_may_hold_spaces_and_dots(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    sent = {"Account Number": "1", "account number": "2", "crm.case.id": "3", "Ünïcode": "ü"}

    assert api("PATCH", attributes_url(conversation), json={"attributes": sent}).status == 202

    stored = emulator.participant_attributes(conversation["id"], customer(conversation))
    assert stored == {"existing": "keep me", **sent}


def test_empty_map_changes_nothing_and_is_recorded(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    api("PATCH", attributes_url(conversation), json={"attributes": {"x": "1"}})
    answer = api("PATCH", attributes_url(conversation), json={"attributes": {}})

    assert answer.status == 202
    assert emulator.participant_attributes(conversation["id"], customer(conversation)) == {
        "existing": "keep me",
        "x": "1",
    }
    patches = [r for r in emulator.requests if r.method == "PATCH"]
    assert [r.empty_attributes for r in patches] == [False, True]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param("{not json", "bad.request", id="invalid-json"),
        pytest.param("[1, 2]", "bad.request", id="not-an-object"),
        pytest.param("{}", "bad.request", id="missing-attributes"),
        pytest.param('{"attributes": null}', "bad.request", id="null-attributes"),
        pytest.param('{"attributes": ["a"]}', "invalid.value", id="attributes-not-an-object"),
        pytest.param('{"attributes": {"a": 5}}', "invalid.value", id="number-value"),
        pytest.param('{"attributes": {"a": null}}', "invalid.value", id="null-value"),
        pytest.param('{"attributes": {"a": {"b": "c"}}}', "invalid.value", id="nested-value"),
    ],
)
def test_invalid_bodies_are_400_and_change_nothing(
    emulator: GenesysEmulator,
    api: ApiCall,
    conversation: ConversationInfo,
    attributes_url: AttributesUrl,
    body: str,
    code: str,
) -> None:
    answer = api(
        "PATCH", attributes_url(conversation), body=body, headers={"Content-Type": "application/json"}
    )

    assert answer.status == 400
    assert answer.json()["code"] == code
    assert answer.json()["status"] == 400
    assert emulator.participant_attributes(conversation["id"], customer(conversation)) == {
        "existing": "keep me"
    }


def test_invalid_value_names_the_value(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    error = api("PATCH", attributes_url(conversation), json={"attributes": {"a": 5}}).json()

    assert (
        error["message"] == "Value [5] is not valid for field type [string]. Allowable values are: any string"
    )
    assert error["messageWithParams"] == (
        "Value [{value}] is not valid for field type [{type}]. Allowable values are: {allowed}"
    )
    assert error["messageParams"] == {"value": "5", "type": "string", "allowed": "any string"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_content_type_is_415(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = api("PATCH", attributes_url(conversation), body='{"attributes": {"a": "1"}}', headers=headers)

    assert answer.status == 415
    assert answer.json()["code"] == "unsupported.media.type"


def test_json_content_type_with_charset_is_accepted(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    answer = api("PATCH", attributes_url(conversation), body='{"attributes": {"a": "1"}}', headers=headers)

    assert answer.status == 202


def test_body_over_the_size_limit_is_413(
    emulator: GenesysEmulator, api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    def body_of(size: int) -> str:
        skeleton = json.dumps({"attributes": {"big": ""}})
        return skeleton.replace('""', '"' + "x" * (size - len(skeleton)) + '"')

    at_limit = api(
        "PATCH",
        attributes_url(conversation),
        json=None,
        body=body_of(MAX_REQUEST_BYTES),
        headers={"Content-Type": "application/json"},
    )
    over = api(
        "PATCH",
        attributes_url(conversation),
        body=body_of(MAX_REQUEST_BYTES + 1),
        headers={"Content-Type": "application/json"},
    )

    assert MAX_REQUEST_BYTES == 512000
    assert at_limit.status == 202
    assert over.status == 413
    assert over.json()["message"] == "The request is over the size limit"
    assert len(emulator.participant_attributes(conversation["id"], customer(conversation))["big"]) > 511000


def test_unknown_conversation_or_participant_is_404(api: ApiCall, conversation: ConversationInfo) -> None:
    body = {"attributes": {"a": "1"}}
    unknown_conversation = f"/api/v2/conversations/nope/participants/{customer(conversation)}/attributes"
    unknown_participant = f"/api/v2/conversations/{conversation['id']}/participants/nope/attributes"

    for path in (unknown_conversation, unknown_participant):
        answer = api("PATCH", path, json=body)
        assert answer.status == 404
        assert answer.json()["code"] == "not.found"


def test_patch_needs_a_valid_token(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    body = {"attributes": {"a": "1"}}

    assert api("PATCH", attributes_url(conversation), json=body, token=None).status == 401
    assert api("PATCH", attributes_url(conversation), json=body, token="forged").status == 401


def test_wrong_method_and_unknown_paths(
    api: ApiCall, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    put = api("PUT", attributes_url(conversation), json={"attributes": {"a": "1"}})
    unknown_api = api("GET", "/api/v2/users/me")
    unknown_root = api("GET", "/nowhere", token=None)

    assert put.status == 405
    assert put.headers["Allow"] == "PATCH"
    assert put.json()["code"] == "method.not.allowed"
    assert (unknown_api.status, unknown_api.json()["code"]) == (404, "not.found")
    assert (unknown_root.status, unknown_root.json()["code"]) == (404, "not.found")


def test_chunked_bodies_are_read(
    emulator: GenesysEmulator,
    http: urllib3.PoolManager,
    token: str,
    conversation: ConversationInfo,
    attributes_url: AttributesUrl,
) -> None:
    chunks = iter([b'{"attributes": ', b'{"chunked": "yes"}}'])
    answer = http.request(
        "PATCH",
        emulator.base_url + attributes_url(conversation),
        body=chunks,
        chunked=True,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert answer.status == 202
    assert emulator.participant_attributes(conversation["id"], customer(conversation))["chunked"] == "yes"


def test_concurrent_patches_lose_no_key(
    emulator: GenesysEmulator, token: str, conversation: ConversationInfo, attributes_url: AttributesUrl
) -> None:
    threads, per_thread = 16, 10
    url = emulator.base_url + attributes_url(conversation)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        pool = urllib3.PoolManager(retries=False, timeout=10.0)
        for i in range(per_thread):
            answer = pool.request(
                "PATCH",
                url,
                body=json.dumps({"attributes": {f"t{n}.k{i}": f"{n}-{i}"}}),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            with lock:
                statuses.append(answer.status)
        pool.clear()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(30)

    assert statuses == [202] * (threads * per_thread)
    stored = emulator.participant_attributes(conversation["id"], customer(conversation))
    expected = {f"t{n}.k{i}": f"{n}-{i}" for n in range(threads) for i in range(per_thread)}
    assert stored == {"existing": "keep me", **expected}
    assert (
        emulator.count_requests(method="PATCH", path_prefix="/api/v2/conversations") == threads * per_thread
    )


def test_the_real_sdk_patches(emulator: GenesysEmulator, token: str, conversation: ConversationInfo) -> None:
    from PureCloudPlatformClientV2 import ApiClient, ConversationsApi, ParticipantAttributes

    client = ApiClient(host=emulator.base_url)
    client.access_token = token
    body = ParticipantAttributes()
    body.attributes = {"from sdk": "yes"}

    result = ConversationsApi(client).patch_conversation_participant_attributes(
        conversation["id"], customer(conversation), body
    )

    assert result is None
    assert emulator.participant_attributes(conversation["id"], customer(conversation))["from sdk"] == "yes"
    assert emulator.requests[-1].token == token
    assert emulator.requests[-1].status == 202
