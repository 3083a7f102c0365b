"""Where the command's Genesys credentials come from: the service's secret, or environment variables.

Either way they end up in the service's own `GenesysGateway`: the secret through the function's wiring
(`build_dependencies`, `SecretStore`), environment variables through `StaticCredentials`, parsed and
checked by the same `GenesysCredentials`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from participant_data.errors import ConfigurationError
from participant_data.genesys.credentials import GenesysCredentials

SECRET_ID_VARIABLE = "GENESYS_SECRET_ID"  # noqa: S105 - a variable's name  # nosec B105
CLIENT_VARIABLES = ("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_ENVIRONMENT")
NO_CREDENTIALS = (
    "No Genesys credentials: pass --secret-id (or set GENESYS_SECRET_ID) to read the service's secret, or "
    "set GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET and GENESYS_ENVIRONMENT. See --help."
)


@dataclass(frozen=True, slots=True)
class CredentialsChoice:
    """Exactly one of: the secret to read, or credentials given in the environment."""

    secret_id: str | None = None
    static: GenesysCredentials | None = None

    @property
    def origin(self) -> str:
        return f"secret {self.secret_id}" if self.secret_id else "environment variables"


def choose_credentials(secret_id_option: str | None, environ: Mapping[str, str]) -> CredentialsChoice:
    """--secret-id, else GENESYS_CLIENT_* (all three), else GENESYS_SECRET_ID, else a configuration error."""
    if secret_id_option is not None:
        if not secret_id_option.strip():
            raise ConfigurationError("--secret-id is empty.")
        return CredentialsChoice(secret_id=secret_id_option.strip())
    given = {name: environ.get(name, "") for name in CLIENT_VARIABLES}
    if any(value.strip() for value in given.values()):
        return CredentialsChoice(static=_from_variables(given))
    secret_id = environ.get(SECRET_ID_VARIABLE, "").strip()
    if secret_id:
        return CredentialsChoice(secret_id=secret_id)
    raise ConfigurationError(NO_CREDENTIALS)


def _from_variables(given: Mapping[str, str]) -> GenesysCredentials:
    missing = [name for name, value in given.items() if not value.strip()]
    if missing:
        raise ConfigurationError(
            f"{' and '.join(missing)} not set: {', '.join(CLIENT_VARIABLES)} go together."
        )
    client_id, client_secret, environment = (given[name] for name in CLIENT_VARIABLES)
    try:
        return GenesysCredentials(
            client_id=client_id.strip(), client_secret=client_secret, environment=environment.strip()
        )
    except ConfigurationError as error:  # the message is about "the secret's 'environment'"
        raise ConfigurationError(f"GENESYS_ENVIRONMENT is invalid. {error.message}") from None
