"""Fixtures of the emulator's own tests: a running emulator, a urllib3 pool and request helpers.

Every test talks to the emulator over real loopback sockets. The pool never retries, so each fault or
error answer is seen exactly as the emulator sent it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import urllib3
from urllib3 import BaseHTTPResponse

from genesys_emulator import ConversationInfo, GenesysEmulator

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"

TokenRequest = Callable[..., BaseHTTPResponse]
ApiCall = Callable[..., BaseHTTPResponse]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def emulator() -> Iterator[GenesysEmulator]:
    with GenesysEmulator() as emu:
        emu.add_client(CLIENT_ID, CLIENT_SECRET)
        yield emu


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2.0, read=10.0))
    yield pool
    pool.clear()


@pytest.fixture
def token_request(emulator: GenesysEmulator, http: urllib3.PoolManager) -> TokenRequest:
    """``token_request(client_id=..., secret=..., grant_type=..., authorization=...)``: POST /oauth/token."""

    def request(
        client_id: str = CLIENT_ID,
        secret: str = CLIENT_SECRET,
        grant_type: str | None = "client_credentials",
        authorization: str | None = None,
    ) -> BaseHTTPResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers["Authorization"] = authorization if authorization is not None else basic(client_id, secret)
        body = "" if grant_type is None else f"grant_type={grant_type}"
        return http.request("POST", emulator.base_url + "/oauth/token", body=body, headers=headers)

    return request


@pytest.fixture
def new_token(token_request: TokenRequest) -> Callable[..., str]:
    """``new_token(client_id=..., secret=...)``: a fresh access token (asserts it was issued)."""

    def issue(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
        answer = token_request(client_id, secret)
        assert answer.status == 200, answer.data
        return str(answer.json()["access_token"])

    return issue


@pytest.fixture
def token(new_token: Callable[..., str]) -> str:
    return new_token()


@pytest.fixture
def conversation(emulator: GenesysEmulator) -> ConversationInfo:
    """A call with a customer (one attribute already set) and an IVR participant."""
    return emulator.create_conversation(
        [{"purpose": "customer", "attributes": {"existing": "keep me"}}, {"purpose": "ivr"}]
    )


@pytest.fixture
def api(emulator: GenesysEmulator, http: urllib3.PoolManager, token: str) -> ApiCall:
    """``api(method, path, json=..., body=..., headers=..., token=...)`` against the emulator.

    Sends ``Authorization: Bearer <token>`` (the fixture's token unless given; None sends none) and,
    with ``json``, the body as application/json.
    """
    default_token = token

    def call(
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = default_token,
    ) -> BaseHTTPResponse:
        sent = dict(headers or {})
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        if json is not None:
            sent.setdefault("Content-Type", "application/json")
            body = _dumps(json)
        return http.request(method, emulator.base_url + path, body=body, headers=sent)

    return call


def _dumps(document: Any) -> str:
    return json.dumps(document)


def attributes_path(conversation: ConversationInfo, index: int = 0) -> str:
    participant = conversation["participants"][index]["id"]
    return f"/api/v2/conversations/{conversation['id']}/participants/{participant}/attributes"


@pytest.fixture
def attributes_url() -> Callable[..., str]:
    """``attributes_url(conversation, index=0)``: the PATCH path of a participant's attributes."""
    return attributes_path
