"""The secret's `environment` may name a stand-in container by name only under `sam local invoke`.

SAM CLI sets AWS_SAM_LOCAL=true in the function's container; Lambda never does. Elsewhere plain http
stays limited to loopback (tests/unit/test_credentials.py).
"""

from __future__ import annotations

import json

import pytest

from participant_data.errors import ConfigurationError
from participant_data.genesys.credentials import GenesysCredentials

CONTAINER_URL = "http://gpd-invoke-1a2b3c4d-genesys:8080"


def credentials(environment: str) -> GenesysCredentials:
    secret = {"client_id": "id", "client_secret": "s3cr3t", "environment": environment}
    return GenesysCredentials.from_secret_string(json.dumps(secret), "sid")


@pytest.mark.parametrize("base", [CONTAINER_URL, f"{CONTAINER_URL}/", "http://genesys:1"])
def test_under_sam_local_a_container_name_serves_token_and_api(
    monkeypatch: pytest.MonkeyPatch, base: str
) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")

    found = credentials(base)

    assert found.api_base_url == found.login_base_url == base.rstrip("/")


@pytest.mark.parametrize("sam_local", [None, "false", "1", "TRUE"])
def test_outside_sam_local_a_container_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, sam_local: str | None
) -> None:
    if sam_local is None:
        monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    else:
        monkeypatch.setenv("AWS_SAM_LOCAL", sam_local)

    with pytest.raises(ConfigurationError, match="region domain"):
        credentials(CONTAINER_URL)


@pytest.mark.parametrize(
    "environment",
    [
        "http://evil.example.com:80",  # a dotted (public) name
        "http://10.0.0.1:80",  # an address, not a container's name
        "https://gpd-genesys:8080",
        "http://gpd-genesys",  # no port
        "http://gpd-genesys:0",
        "http://gpd-genesys:65536",
        "http://gpd_genesys:8080",  # not a DNS label
        "http://-genesys:8080",
        "http://user@gpd-genesys:8080",
        "http://gpd-genesys:8080/path",
    ],
)
def test_under_sam_local_only_a_single_label_name_with_a_port_is_accepted(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")

    with pytest.raises(ConfigurationError, match="region domain"):
        credentials(environment)


def test_under_sam_local_region_domains_and_loopback_work_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")

    assert credentials("usw2.pure.cloud").api_base_url == "https://api.usw2.pure.cloud"
    assert credentials("http://127.0.0.1:8999").login_base_url == "http://127.0.0.1:8999"
