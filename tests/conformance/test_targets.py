"""Describing a real org: region domain or explicit https base URLs, the test call's IDs, credentials
from the environment only. Anything wrong is a usage error before any request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.targets import ORG_PACING, TargetError, org_target

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ENVIRON = {"GENESYS_CLIENT_ID": "client-id", "GENESYS_CLIENT_SECRET": "a-client-secret"}


def _target(**changes: Any) -> Any:
    options: dict[str, Any] = {
        "environment": "usw2.pure.cloud",
        "api_base_url": None,
        "login_base_url": None,
        "conversation_id": CONVERSATION,
        "participant_id": PARTICIPANT,
        "ca_bundle": None,
        "environ": ENVIRON,
    }
    options.update(changes)
    return org_target(**options)


def test_a_region_domain_gives_its_api_and_login_hosts_and_the_default_pacing() -> None:
    target = _target()

    assert (target.api_base_url, target.login_base_url) == (
        "https://api.usw2.pure.cloud",
        "https://login.usw2.pure.cloud",
    )
    assert target.pacing == ORG_PACING
    assert target.set_rate_limit is None  # a real org: no way to provoke a 429
    assert target.credentials.client_id == "client-id"
    assert "a-client-secret" not in repr(target)


def test_explicit_base_urls_must_be_https() -> None:
    target = _target(
        environment=None,
        api_base_url="https://api.example.test:8443/",
        login_base_url="https://login.example.test",
    )
    assert (target.api_base_url, target.login_base_url) == (
        "https://api.example.test:8443",
        "https://login.example.test",
    )

    for api in (
        "http://api.example.test",
        "https://api.example.test/api/v2",
        "https://user@api.example.test",
    ):
        with pytest.raises(TargetError):
            _target(environment=None, api_base_url=api, login_base_url="https://login.example.test")


@pytest.mark.parametrize(
    "changes",
    [
        {"environment": "example.com"},
        {"api_base_url": "https://api.example.test", "login_base_url": "https://login.example.test"},
        {"environment": None, "api_base_url": "https://api.example.test"},
        {"conversation_id": None},
        {"participant_id": "customer"},
        {"conversation_id": "../../users/me"},
        {"environ": {"GENESYS_CLIENT_ID": "client-id"}},
        {"ca_bundle": Path("/nonexistent/ca.pem")},
        {"min_interval": -1.0},
    ],
)
def test_a_wrong_description_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(TargetError):
        _target(**changes)


def test_a_dry_run_does_not_need_the_credentials() -> None:
    assert _target(environ={}, require_credentials=False).credentials is None
