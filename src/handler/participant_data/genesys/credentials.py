"""The Genesys OAuth client credentials and the region they belong to, as stored in the secret."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from participant_data.errors import ConfigurationError

# Genesys Cloud region domains: `api.{env}` and `login.{env}` (docs/genesys-facts.md#region-hosts:
# the SDK's PureCloudRegionHosts is the same list).
REGION_DOMAINS = frozenset(
    {
        "mypurecloud.com",
        "mypurecloud.ie",
        "mypurecloud.de",
        "mypurecloud.jp",
        "mypurecloud.com.au",
        "usw2.pure.cloud",
        "cac1.pure.cloud",
        "euw2.pure.cloud",
        "euc2.pure.cloud",
        "aps1.pure.cloud",
        "apne2.pure.cloud",
        "apne3.pure.cloud",
        "apse1.pure.cloud",
        "sae1.pure.cloud",
        "mec1.pure.cloud",
        "mxc1.pure.cloud",
        "use2.us-gov-pure.cloud",
    }
)
# Plain http is allowed only for a local stand-in (the emulator) on loopback.
_LOCAL_BASE_URL = re.compile(r"^http://(127\.0\.0\.1|localhost):(\d{1,5})/?$")
# ...or, under `sam local invoke` (`make invoke`), a stand-in container on the run's own Docker network,
# named by a single DNS label (no dots: never a public host). SAM CLI sets AWS_SAM_LOCAL=true in the
# function's container (samcli/local/lambdafn/env_vars.py); Lambda itself never sets it.
_SAM_LOCAL_BASE_URL = re.compile(r"^http://([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?):(\d{1,5})/?$")
SECRET_FIELDS = ("client_id", "client_secret", "environment")


@dataclass(frozen=True, slots=True)
class GenesysCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    environment: str
    api_base_url: str = field(init=False)
    login_base_url: str = field(init=False)

    def __post_init__(self) -> None:
        api, login = _base_urls(self.environment)
        object.__setattr__(self, "api_base_url", api)
        object.__setattr__(self, "login_base_url", login)

    @classmethod
    def from_secret_string(cls, secret_string: str | None, secret_id: str) -> GenesysCredentials:
        """Parse the secret's JSON. Errors name the secret and the field, never a value."""
        try:
            document = json.loads(secret_string or "")
        except json.JSONDecodeError:
            raise ConfigurationError(f"The secret {secret_id} is not valid JSON.") from None
        if not isinstance(document, dict):
            raise ConfigurationError(f"The secret {secret_id} must be a JSON object.")
        for name in SECRET_FIELDS:
            value = document.get(name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"The secret {secret_id} lacks the string field '{name}'.")
        return cls(
            client_id=document["client_id"].strip(),
            client_secret=document["client_secret"],
            environment=document["environment"].strip(),
        )


def _base_urls(environment: str) -> tuple[str, str]:
    """(API base URL, login base URL) for a region domain or a loopback base URL."""
    if environment in REGION_DOMAINS:
        return f"https://api.{environment}", f"https://login.{environment}"
    local = _LOCAL_BASE_URL.match(environment)
    if local is None and os.environ.get("AWS_SAM_LOCAL") == "true":
        local = _SAM_LOCAL_BASE_URL.match(environment)
    if local and 0 < int(local.group(2)) < 65536:
        base = environment.rstrip("/")
        return base, base
    raise ConfigurationError(
        "The secret's 'environment' must be a Genesys Cloud region domain (such as usw2.pure.cloud) or, "
        "for local development, http://127.0.0.1:PORT or http://localhost:PORT."
    )
