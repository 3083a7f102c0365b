"""Where the credentials come from: --secret-id, else GENESYS_CLIENT_*, else GENESYS_SECRET_ID."""

from __future__ import annotations

import pytest

from operator_cli.credentials import choose_credentials
from participant_data.errors import ConfigurationError

CLIENT = {
    "GENESYS_CLIENT_ID": " client ",
    "GENESYS_CLIENT_SECRET": "s3cr3t-value",
    "GENESYS_ENVIRONMENT": "usw2.pure.cloud",
}


def test_secret_id_option_wins_over_everything() -> None:
    choice = choose_credentials("genesys/cli", {**CLIENT, "GENESYS_SECRET_ID": "genesys/env"})

    assert (choice.secret_id, choice.static, choice.origin) == ("genesys/cli", None, "secret genesys/cli")


def test_client_variables_win_over_the_secret_variable() -> None:
    choice = choose_credentials(None, {**CLIENT, "GENESYS_SECRET_ID": "genesys/env"})

    assert choice.secret_id is None
    assert choice.static is not None
    assert (choice.static.client_id, choice.static.api_base_url) == ("client", "https://api.usw2.pure.cloud")
    assert choice.origin == "environment variables"


def test_secret_variable_is_the_last_resort() -> None:
    assert choose_credentials(None, {"GENESYS_SECRET_ID": "genesys/env"}).secret_id == "genesys/env"


def test_emulator_url_is_accepted_as_the_environment() -> None:
    choice = choose_credentials(None, {**CLIENT, "GENESYS_ENVIRONMENT": "http://127.0.0.1:8080"})

    assert choice.static is not None
    assert choice.static.login_base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("secret_id", "environ", "message"),
    [
        (None, {}, "No Genesys credentials"),
        ("  ", {}, "--secret-id is empty"),
        (None, {**CLIENT, "GENESYS_CLIENT_SECRET": ""}, "GENESYS_CLIENT_SECRET not set"),
        (None, {"GENESYS_CLIENT_ID": "x"}, "GENESYS_CLIENT_SECRET and GENESYS_ENVIRONMENT not set"),
        (None, {**CLIENT, "GENESYS_ENVIRONMENT": "http://example.com"}, "GENESYS_ENVIRONMENT is invalid"),
    ],
)
def test_configuration_errors_say_what_is_missing_without_values(
    secret_id: str | None, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        choose_credentials(secret_id, environ)

    assert message in raised.value.message
    assert "s3cr3t-value" not in raised.value.message
