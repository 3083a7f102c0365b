from __future__ import annotations

import json

import pytest

from participant_data.errors import ConfigurationError
from participant_data.genesys.credentials import GenesysCredentials


def secret(**fields: object) -> str:
    return json.dumps(
        {"client_id": "id", "client_secret": "s3cr3t", "environment": "usw2.pure.cloud", **fields}
    )


def test_a_region_domain_gives_the_api_and_login_hosts() -> None:
    credentials = GenesysCredentials.from_secret_string(secret(), "sid")

    assert credentials.api_base_url == "https://api.usw2.pure.cloud"
    assert credentials.login_base_url == "https://login.usw2.pure.cloud"


@pytest.mark.parametrize("base", ["http://127.0.0.1:8999", "http://localhost:8999/"])
def test_a_loopback_base_url_serves_both_token_and_api(base: str) -> None:
    credentials = GenesysCredentials.from_secret_string(secret(environment=base), "sid")

    assert credentials.api_base_url == credentials.login_base_url == base.rstrip("/")


@pytest.mark.parametrize(
    "environment",
    [
        "http://evil.example.com",
        "http://10.0.0.1:80",
        "https://127.0.0.1:8999",
        "example.com",
        "http://127.0.0.1",
    ],
)
def test_other_environments_are_refused(environment: str) -> None:
    with pytest.raises(ConfigurationError, match="region domain"):
        GenesysCredentials.from_secret_string(secret(environment=environment), "sid")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1]", "JSON object"),
        (json.dumps({"client_id": "id", "environment": "mypurecloud.com"}), "'client_secret'"),
        (secret(client_id=""), "'client_id'"),
        (secret(environment=5), "'environment'"),
    ],
)
def test_malformed_secrets_name_the_problem_but_no_value(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        GenesysCredentials.from_secret_string(text, "sid")

    assert "s3cr3t" not in str(raised.value)


def test_the_client_secret_never_shows_in_repr() -> None:
    credentials = GenesysCredentials.from_secret_string(secret(), "sid")

    assert "s3cr3t" not in repr(credentials)
