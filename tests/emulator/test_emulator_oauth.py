"""The login server (POST /oauth/token) and the bearer-token checks of /api/v2, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from urllib3 import BaseHTTPResponse

from genesys_emulator import GenesysEmulator

TokenRequest = Callable[..., BaseHTTPResponse]
ApiCall = Callable[..., BaseHTTPResponse]
NewToken = Callable[..., str]

ORG_ME = "/api/v2/organizations/me"
TOKENS_ME = "/api/v2/tokens/me"


def test_token_is_issued_with_the_oauth_fields(
    emulator: GenesysEmulator, token_request: TokenRequest
) -> None:
    answer = token_request()

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    document = answer.json()
    assert set(document) == {"access_token", "token_type", "expires_in"}
    assert document["token_type"] == "bearer"
    assert document["expires_in"] == 86400
    assert len(document["access_token"]) >= 40
    assert emulator.issued_tokens == [document["access_token"]]


def test_every_token_is_new_and_listed(emulator: GenesysEmulator, new_token: NewToken) -> None:
    tokens = [new_token() for _ in range(3)]

    assert len(set(tokens)) == 3
    assert emulator.issued_tokens == tokens


def test_token_lifetime_is_per_client(emulator: GenesysEmulator, token_request: TokenRequest) -> None:
    emulator.add_client("short", "s3cret", token_lifetime=300)

    assert token_request("short", "s3cret").json()["expires_in"] == 300


@pytest.mark.parametrize(
    ("client_id", "secret", "status"),
    [
        pytest.param("nobody", "test-secret", 400, id="unknown-client"),
        pytest.param("test-client", "wrong", 401, id="wrong-secret"),
    ],
)
def test_rejected_credentials_answer_invalid_client(
    emulator: GenesysEmulator, token_request: TokenRequest, client_id: str, secret: str, status: int
) -> None:
    answer = token_request(client_id, secret)

    assert answer.status == status
    assert answer.json()["error"] == "invalid_client"
    assert answer.json()["description"]
    assert emulator.issued_tokens == []


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("", id="missing"),
        pytest.param("Basic !!!not-base64!!!", id="garbled-base64"),
        pytest.param("Basic dGVzdC1jbGllbnQ=", id="no-colon"),
        pytest.param("Bearer abc", id="wrong-scheme"),
    ],
)
def test_missing_or_garbled_basic_auth_is_invalid_client(
    token_request: TokenRequest, authorization: str
) -> None:
    answer = token_request(authorization=authorization)

    assert answer.status == 401
    assert answer.json()["error"] == "invalid_client"


def test_other_grant_types_are_unsupported(token_request: TokenRequest) -> None:
    answer = token_request(grant_type="password")

    assert answer.status == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_missing_grant_type_is_an_invalid_request(token_request: TokenRequest) -> None:
    answer = token_request(grant_type=None)

    assert answer.status == 400
    assert answer.json()["error"] == "invalid_request"


def test_api_without_token_needs_authentication(api: ApiCall) -> None:
    answer = api("GET", ORG_ME, token=None)

    assert answer.status == 401
    assert answer.json()["code"] == "authentication.required"


def test_api_with_unknown_token_is_bad_credentials(api: ApiCall) -> None:
    answer = api("GET", ORG_ME, token="not-a-token")

    assert answer.status == 401
    assert answer.json()["code"] == "bad.credentials"


def test_basic_auth_on_the_api_is_not_a_bearer_token(api: ApiCall) -> None:
    answer = api("GET", ORG_ME, token=None, headers={"Authorization": "Basic dGVzdDp0ZXN0"})

    assert answer.json()["code"] == "authentication.required"


def test_token_expires_after_its_lifetime(
    emulator: GenesysEmulator, api: ApiCall, new_token: NewToken
) -> None:
    emulator.add_client("brief", "s3cret", token_lifetime=1)
    token = new_token("brief", "s3cret")
    assert api("GET", ORG_ME, token=token).status == 200

    time.sleep(1.05)

    answer = api("GET", ORG_ME, token=token)
    assert answer.status == 401
    assert answer.json()["code"] == "bad.credentials"


def test_expire_tokens_ends_existing_tokens_only(
    emulator: GenesysEmulator, api: ApiCall, token: str, new_token: NewToken
) -> None:
    emulator.expire_tokens()

    assert api("GET", ORG_ME, token=token).json()["code"] == "bad.credentials"
    assert api("GET", ORG_ME, token=new_token()).status == 200


def test_revoked_tokens_are_rejected(
    emulator: GenesysEmulator, api: ApiCall, token: str, new_token: NewToken
) -> None:
    assert api("GET", TOKENS_ME, token=token).status == 200

    emulator.revoke_tokens()

    assert api("GET", TOKENS_ME, token=token).status == 401
    assert api("GET", TOKENS_ME, token=token).json()["code"] == "bad.credentials"
    assert api("GET", TOKENS_ME, token=new_token()).status == 200


def test_rotated_secret_replaces_the_old_one(
    emulator: GenesysEmulator, token_request: TokenRequest, api: ApiCall, token: str
) -> None:
    emulator.rotate_client_secret("test-client", "rotated")

    assert token_request(secret="test-secret").status == 401
    assert token_request(secret="rotated").status == 200
    # Tokens issued before the rotation stay valid until they expire or are revoked.
    assert api("GET", ORG_ME, token=token).status == 200


def test_rotating_an_unknown_client_is_a_key_error(emulator: GenesysEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.rotate_client_secret("nobody", "x")


def test_organizations_me(emulator: GenesysEmulator, api: ApiCall) -> None:
    answer = api("GET", ORG_ME)

    assert answer.status == 200
    assert answer.json() == {
        "id": emulator.organization_id,
        "name": answer.json()["name"],
        "selfUri": f"/api/v2/organizations/{emulator.organization_id}",
    }
    assert answer.json()["name"]


def test_tokens_me_describes_the_client_and_org(
    emulator: GenesysEmulator, api: ApiCall, new_token: NewToken
) -> None:
    emulator.add_client("named", "s3cret", name="IVR data action")

    document = api("GET", TOKENS_ME, token=new_token("named", "s3cret")).json()

    org = {"id": emulator.organization_id, "name": document["organization"]["name"]}
    assert org["name"]
    assert document["organization"] == org
    assert document["homeOrganization"] == org
    assert document["OAuthClient"] == {"id": "named", "name": "IVR data action", "organization": org}
    assert api("GET", TOKENS_ME).json()["OAuthClient"]["name"] == "test-client"  # unnamed: the id


def test_head_tokens_me_is_the_cheap_probe(api: ApiCall) -> None:
    answer = api("HEAD", TOKENS_ME)

    assert answer.status == 200
    assert answer.data == b""
    assert api("HEAD", TOKENS_ME, token="expired-or-unknown").status == 401


def test_the_real_sdk_logs_in(emulator: GenesysEmulator) -> None:
    from PureCloudPlatformClientV2 import ApiClient

    client = ApiClient(host=emulator.base_url).get_client_credentials_token("test-client", "test-secret")

    assert client.access_token in emulator.issued_tokens
