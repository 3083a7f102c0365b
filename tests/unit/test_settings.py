from __future__ import annotations

import pytest

from participant_data.errors import ConfigurationError
from participant_data.settings import Limits, Settings


def test_only_the_secret_id_is_required_and_the_rest_has_defaults() -> None:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "my-secret"})

    assert settings.genesys_secret_id == "my-secret"
    assert settings.request_budget_seconds == 10.0
    assert settings.log_attribute_values is False
    assert settings.limits == Limits()
    assert settings.limits.max_body_bytes < 512000  # below the platform's own request limit


def test_missing_secret_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="GENESYS_SECRET_ID"):
        Settings.from_environment({})


def test_every_setting_is_read_from_its_upper_case_variable() -> None:
    settings = Settings.from_environment(
        {
            "GENESYS_SECRET_ID": "s",
            "REQUEST_BUDGET_SECONDS": "4.5",
            "CONNECT_TIMEOUT_SECONDS": "1",
            "MAX_ATTRIBUTES": "7",
            "MAX_VALUE_LENGTH": "256",
            "LOG_ATTRIBUTE_VALUES": "true",
        }
    )

    assert settings.request_budget_seconds == 4.5
    assert settings.connect_timeout_seconds == 1.0
    assert settings.limits.max_attributes == 7
    assert settings.limits.max_value_length == 256
    assert settings.log_attribute_values is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_ATTRIBUTES", "ten", "whole number"),
        ("MAX_ATTRIBUTES", "2.5", "whole number"),
        ("REQUEST_BUDGET_SECONDS", "-1", "positive"),
        ("LOG_ATTRIBUTE_VALUES", "maybe", "true or false"),
        ("RESPONSE_MARGIN_SECONDS", "20", "smaller than REQUEST_BUDGET_SECONDS"),
    ],
)
def test_malformed_settings_are_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environment({"GENESYS_SECRET_ID": "s", name: value})


def test_the_attribute_key_allow_list_is_read_comma_separated_and_off_by_default() -> None:
    assert Settings.from_environment({"GENESYS_SECRET_ID": "s"}).limits.restricts_keys is False

    limits = Settings.from_environment(
        {
            "GENESYS_SECRET_ID": "s",
            "ALLOWED_ATTRIBUTE_KEYS": " ivr_choice, customer_tier ,,Customer Tier.v2",
            "ALLOWED_ATTRIBUTE_PREFIXES": "crm.,ivr_",
        }
    ).limits

    assert limits.allowed_attribute_keys == frozenset({"ivr_choice", "customer_tier", "Customer Tier.v2"})
    assert limits.allowed_attribute_prefixes == ("crm.", "ivr_")
    assert limits.allows_key("crm.segment")
    assert limits.allows_key("customer_tier")
    assert not limits.allows_key("customer_tier2")
    assert not limits.allows_key("CRM.segment")
