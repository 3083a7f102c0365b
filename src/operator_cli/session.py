"""The service's long-lived objects, wired for one command: settings, the Genesys gateway, the cache the
`customer` alias uses, and the command's deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import boto3

from operator_cli.credentials import NO_CREDENTIALS, CredentialsChoice
from participant_data.container import build_dependencies
from participant_data.deadline import Deadline
from participant_data.errors import ConfigurationError
from participant_data.genesys.gateway import GenesysGateway, StaticCredentials
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.settings import Settings

# Settings insist on a secret id; with credentials from the environment nothing reads it.
_NO_SECRET = "(credentials from the environment)"  # noqa: S105 - a placeholder  # nosec B105


@dataclass(frozen=True, slots=True)
class Session:
    settings: Settings
    genesys: GenesysGateway
    customers: CustomerParticipantCache
    deadline: Deadline
    credentials_origin: str


def read_settings(environ: Mapping[str, str]) -> Settings:
    """The function's settings (limits, allow-list, timeouts, token margin) from the same variables."""
    return Settings.from_environment({**environ, "GENESYS_SECRET_ID": _NO_SECRET})


def open_session(settings: Settings, choice: CredentialsChoice, timeout_seconds: float) -> Session:
    """The deadline starts now: `timeout_seconds` covers the secret, the token and the Genesys calls."""
    deadline = Deadline(timeout_seconds)
    # Exactly the function's wiring (transport, token provider, customer cache); the credentials come
    # from the secret (SecretStore) or were given in the environment.
    if choice.secret_id is not None:
        check_aws_configuration()
        deps = build_dependencies(replace(settings, genesys_secret_id=choice.secret_id))
    elif choice.static is not None:
        deps = build_dependencies(settings, credentials=StaticCredentials(choice.static))
    else:
        raise ConfigurationError(NO_CREDENTIALS)
    return Session(settings, deps.genesys, deps.customers, deadline, choice.origin)


def check_aws_configuration() -> None:
    """In Lambda both are always there; on a laptop their absence would otherwise surface as retries until
    the budget ran out (botocore raises them as connection errors) instead of a clear message."""
    session = boto3.session.Session()
    if not session.region_name:
        raise ConfigurationError(
            "No AWS region to read the secret (or the outbox) from: set AWS_REGION (or AWS_DEFAULT_REGION,"
            " or a profile's region)."
        )
    if session.get_credentials() is None:
        raise ConfigurationError(
            "No AWS credentials to read the secret (or the outbox) with (environment variables, AWS_PROFILE,"
            " SSO, ...)."
        )
