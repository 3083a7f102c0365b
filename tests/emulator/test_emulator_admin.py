"""The admin HTTP API (/_emulator/...) and EmulatorAdmin, its urllib client."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import urllib3
from urllib3 import BaseHTTPResponse

from genesys_emulator import EmulatorAdmin, Fault, GenesysEmulator, RecordedRequest

ApiCall = Callable[..., BaseHTTPResponse]
TokenRequest = Callable[..., BaseHTTPResponse]
NewToken = Callable[..., str]

TOKENS_ME = "/api/v2/tokens/me"


@pytest.fixture
def admin(emulator: GenesysEmulator) -> EmulatorAdmin:
    return EmulatorAdmin(emulator.base_url)


def test_clients_and_rotation(admin: EmulatorAdmin, token_request: TokenRequest) -> None:
    admin.add_client("remote", "first", token_lifetime=600, name="Remote client")

    assert token_request("remote", "first").json()["expires_in"] == 600
    admin.rotate_client_secret("remote", "second")
    assert token_request("remote", "first").status == 401
    assert token_request("remote", "second").status == 200
    with pytest.raises(KeyError):
        admin.rotate_client_secret("nobody", "x")
    with pytest.raises(ValueError, match="token_lifetime"):
        admin.add_client("bad", "secret", token_lifetime=0)


def test_conversations(admin: EmulatorAdmin, emulator: GenesysEmulator, api: ApiCall) -> None:
    seeded = admin.create_conversation(
        [{"id": "p1", "purpose": "customer", "attributes": {"a": "1"}}, {"purpose": "ivr"}],
        conversation_id="c1",
    )
    api("PATCH", "/api/v2/conversations/c1/participants/p1/attributes", json={"attributes": {"b": "2"}})

    assert seeded["id"] == "c1"
    assert [p["purpose"] for p in seeded["participants"]] == ["customer", "ivr"]
    assert admin.participant_attributes("c1", "p1") == {"a": "1", "b": "2"}
    assert admin.get_conversation("c1") == emulator.get_conversation("c1")
    with pytest.raises(KeyError):
        admin.participant_attributes("c1", "nobody")
    with pytest.raises(KeyError):
        admin.get_conversation("nope")
    with pytest.raises(ValueError, match="already exists"):
        admin.create_conversation([{}], conversation_id="c1")


def test_ids_with_reserved_characters_round_trip(admin: EmulatorAdmin) -> None:
    admin.create_conversation([{"id": "p 1?x"}], conversation_id="c #1")

    assert admin.participant_attributes("c #1", "p 1?x") == {}


def test_faults(admin: EmulatorAdmin, emulator: GenesysEmulator, api: ApiCall) -> None:
    admin.inject_fault(Fault(status=503, count=2, retry_after=3, method="GET", path_prefix="/api/v2/tokens"))
    admin.inject_fault(Fault(hang_seconds=0.05, action="reset"))

    assert admin.faults == emulator.faults
    assert admin.faults[0] == Fault(
        status=503, count=2, retry_after=3, method="GET", path_prefix="/api/v2/tokens"
    )
    answer = api("GET", TOKENS_ME)
    assert (answer.status, answer.headers["Retry-After"]) == (503, "3")
    assert admin.faults[0].count == 1
    admin.clear_faults()
    assert admin.faults == []
    assert api("GET", TOKENS_ME).status == 200


def test_tokens(admin: EmulatorAdmin, api: ApiCall, token: str, new_token: NewToken) -> None:
    assert admin.issued_tokens == [token]

    admin.revoke_tokens()
    assert api("GET", TOKENS_ME).status == 401

    fresh = new_token()
    admin.expire_tokens()
    assert api("GET", TOKENS_ME, token=fresh).status == 401
    assert admin.issued_tokens == [token, fresh]


def test_rate_limit(admin: EmulatorAdmin, api: ApiCall) -> None:
    admin.set_rate_limit(1)
    assert [api("GET", TOKENS_ME).status for _ in range(2)] == [200, 429]

    admin.set_rate_limit(None)
    assert api("GET", TOKENS_ME).status == 200


def test_requests(admin: EmulatorAdmin, emulator: GenesysEmulator, api: ApiCall) -> None:
    api("GET", TOKENS_ME)
    api("HEAD", TOKENS_ME)

    recorded = admin.requests
    assert recorded == emulator.requests
    assert all(isinstance(r, RecordedRequest) for r in recorded)
    assert admin.count_requests() == 3
    assert admin.count_requests(method="HEAD") == 1
    assert admin.count_requests(path_prefix="/oauth") == 1
    admin.clear_requests()
    assert admin.count_requests() == 0
    assert emulator.requests == []  # admin requests themselves are never recorded


def test_reset(admin: EmulatorAdmin, emulator: GenesysEmulator, token: str) -> None:
    admin.create_conversation([{}], conversation_id="gone")

    admin.reset()

    assert emulator.issued_tokens == []
    with pytest.raises(KeyError):
        emulator.get_conversation("gone")


def test_status_endpoint(emulator: GenesysEmulator, http: urllib3.PoolManager) -> None:
    answer = http.request("GET", emulator.base_url + "/_emulator")

    assert answer.json() == {"base_url": emulator.base_url, "organization_id": emulator.organization_id}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/_emulator/nothing-here", None, 404),
        ("DELETE", "/_emulator/clients", None, 405),
        ("POST", "/_emulator/clients", "{not json", 400),
        ("POST", "/_emulator/clients", "[]", 400),
        ("POST", "/_emulator/clients", '{"client_id": "a", "client_secret": "b", "colour": "red"}', 400),
        ("POST", "/_emulator/clients", '{"client_id": 5, "client_secret": "b"}', 400),
        ("POST", "/_emulator/faults", '{"status": "503"}', 400),
        ("POST", "/_emulator/faults", '{"status": true}', 400),
        ("POST", "/_emulator/faults", '{"count": 1}', 400),
        ("PUT", "/_emulator/rate-limit", "{}", 400),
        ("PUT", "/_emulator/rate-limit", '{"limit": 0}', 400),
        ("POST", "/_emulator/conversations", '{"participants": ["x"]}', 400),
    ],
)
def test_admin_errors(
    emulator: GenesysEmulator,
    http: urllib3.PoolManager,
    method: str,
    path: str,
    body: str | None,
    status: int,
) -> None:
    answer = http.request(method, emulator.base_url + path, body=body)

    assert answer.status == status
    assert json.loads(answer.data)["error"]


def test_rate_limit_settings_over_http(emulator: GenesysEmulator, http: urllib3.PoolManager) -> None:
    url = emulator.base_url + "/_emulator/rate-limit"

    assert http.request("GET", url).json() == {"limit": None, "window_seconds": 60.0}
    put = http.request("PUT", url, body='{"limit": 300}', headers={"Content-Type": "application/json"})
    assert put.json() == {"limit": 300, "window_seconds": 60.0}
    assert http.request("GET", url).json() == {"limit": 300, "window_seconds": 60.0}
