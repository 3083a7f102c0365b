"""Where the suite runs: the emulator it starts itself, or a real Genesys Cloud org the user names.

Both are a :class:`Target`: base URLs, the OAuth client, the conversation and participant to write to,
and how fast to go. The same checks run against either through the same HTTP client, so the code that
talks to a real org is the code ``make conformance`` runs every time.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from genesys_emulator import GenesysEmulator
from participant_data.genesys.credentials import REGION_DOMAINS

TargetKind = Literal["emulator", "org"]
CLIENT_ID_VARIABLE = "GENESYS_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "GENESYS_CLIENT_SECRET"  # noqa: S105  # a variable's name  # nosec B105
SEEDED_ATTRIBUTES = {"flow_language": "en-US"}
"""What the emulator's customer already carries, as if a flow had set it: the merge check must keep it."""


class TargetError(ValueError):
    """The target is described wrongly (options or environment): a usage error, nothing was sent."""


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class Pacing:
    """How fast the suite may go. A whole run makes a few dozen requests (every read loop is bounded),
    far below Genesys's 300 requests per token per minute (docs/genesys-facts.md#rate-limits); on a real
    org they are also spaced out, at most two a second by default."""

    min_interval: float  # seconds between the starts of two requests
    poll_interval: float  # seconds between two reads waiting for a write to show
    max_retry_after: float = 120.0  # a longer Retry-After stops the run instead of waiting


ORG_PACING = Pacing(min_interval=0.5, poll_interval=1.0)
EMULATOR_PACING = Pacing(min_interval=0.0, poll_interval=0.05)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    api_base_url: str
    login_base_url: str
    conversation_id: str
    participant_id: str
    credentials: ClientCredentials | None  # None only for a dry run without the variables set
    pacing: Pacing
    ca_bundle: Path | None = None
    set_rate_limit: Callable[[int | None], None] | None = None
    """The emulator's rate limit switch: the only place the suite provokes a 429. None on a real org."""

    @property
    def api_host(self) -> str:
        return urlsplit(self.api_base_url).hostname or ""


@contextmanager
def emulator_target(pacing: Pacing = EMULATOR_PACING) -> Iterator[Target]:
    """An emulator started in-process, with an OAuth client and a call whose customer has some data."""
    with GenesysEmulator() as emulator:
        credentials = ClientCredentials(f"conformance-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(32))
        emulator.add_client(credentials.client_id, credentials.client_secret)
        conversation = emulator.create_conversation(
            [{"purpose": "customer", "attributes": dict(SEEDED_ATTRIBUTES)}, {"purpose": "agent"}]
        )
        yield Target(
            kind="emulator",
            api_base_url=emulator.base_url,
            login_base_url=emulator.base_url,
            conversation_id=conversation["id"],
            participant_id=conversation["participants"][0]["id"],
            credentials=credentials,
            pacing=pacing,
            set_rate_limit=emulator.set_rate_limit,
        )


def org_target(
    *,
    environment: str | None,
    api_base_url: str | None,
    login_base_url: str | None,
    conversation_id: str | None,
    participant_id: str | None,
    ca_bundle: Path | None,
    environ: Mapping[str, str],
    min_interval: float | None = None,
    require_credentials: bool = True,
) -> Target:
    """A real org from the command line's options and the environment's OAuth client; TargetError if
    anything is missing or wrong. The client secret is read from the environment only."""
    api, login = _base_urls(environment, api_base_url, login_base_url)
    if ca_bundle is not None and not ca_bundle.is_file():
        raise TargetError(f"--ca-bundle {ca_bundle} is not a file")
    pacing = ORG_PACING
    if min_interval is not None:
        if min_interval < 0:
            raise TargetError("--min-interval cannot be negative")
        pacing = Pacing(min_interval, max(min_interval, ORG_PACING.poll_interval))
    return Target(
        kind="org",
        api_base_url=api,
        login_base_url=login,
        conversation_id=_uuid_option("--conversation-id", conversation_id),
        participant_id=_uuid_option("--participant-id", participant_id),
        credentials=_credentials(environ, required=require_credentials),
        pacing=pacing,
        ca_bundle=ca_bundle,
    )


def _base_urls(environment: str | None, api: str | None, login: str | None) -> tuple[str, str]:
    if environment is not None:
        if api is not None or login is not None:
            raise TargetError("give --environment, or --api-base-url and --login-base-url, not both")
        if environment not in REGION_DOMAINS:
            domains = ", ".join(sorted(REGION_DOMAINS))
            raise TargetError(f"--environment must be a Genesys Cloud region domain, one of: {domains}")
        return f"https://api.{environment}", f"https://login.{environment}"
    if api is None or login is None:
        raise TargetError(
            "give --environment (such as usw2.pure.cloud), or both --api-base-url and --login-base-url"
        )
    return _https_base_url("--api-base-url", api), _https_base_url("--login-base-url", login)


def _https_base_url(option: str, value: str) -> str:
    """An https URL of a host (and port): certificates are always verified, so plain http is refused."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.path.strip("/")
        or parts.query
        or parts.username
    ):
        raise TargetError(f"{option} must be https://HOST[:PORT] with nothing after it, got {value!r}")
    return f"https://{parts.netloc}"


def _uuid_option(option: str, value: str | None) -> str:
    if not value:
        raise TargetError(
            f"{option} is required: the test call you placed (its IDs are in the interaction's details)"
        )
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise TargetError(f"{option} must be a Genesys ID (a UUID), got {value!r}") from None


def _credentials(environ: Mapping[str, str], *, required: bool) -> ClientCredentials | None:
    client_id = environ.get(CLIENT_ID_VARIABLE, "").strip()
    client_secret = environ.get(CLIENT_SECRET_VARIABLE, "")
    if client_id and client_secret.strip():
        return ClientCredentials(client_id, client_secret)
    if required:
        raise TargetError(
            f"set {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE} in the environment (an OAuth client with "
            "the client-credentials grant); the secret is never taken from the command line"
        )
    return None
