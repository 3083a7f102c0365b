from __future__ import annotations

import pytest

from participant_data.deadline import Deadline
from participant_data.errors import ConfigurationError
from participant_data.settings import Limits, Settings


def test_only_the_secret_id_is_required_and_the_rest_has_defaults() -> None:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "my-secret"})

    assert settings.genesys_secret_id == "my-secret"
    assert settings.request_budget_seconds == 10.0
    assert settings.log_attribute_values is False
    assert settings.limits == Limits()
    assert settings.limits.max_body_bytes < 512000  # below the platform's own request limit
    assert settings.attempt_timeout_seconds == 3.0
    assert settings.max_attempts == 3


def test_the_customer_resolution_is_remembered_for_a_short_ttl_by_default() -> None:
    assert Settings.from_environment({"GENESYS_SECRET_ID": "s"}).customer_cache_ttl_seconds == 30.0

    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s", "CUSTOMER_CACHE_TTL_SECONDS": "7.5"})

    assert settings.customer_cache_ttl_seconds == 7.5
    with pytest.raises(ConfigurationError, match="CUSTOMER_CACHE_TTL_SECONDS must be positive"):
        Settings.from_environment({"GENESYS_SECRET_ID": "s", "CUSTOMER_CACHE_TTL_SECONDS": "0"})


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
            "ATTEMPT_TIMEOUT_SECONDS": "1.5",
            "MAX_ATTEMPTS": "4",
        }
    )

    assert settings.request_budget_seconds == 4.5
    assert settings.connect_timeout_seconds == 1.0
    assert settings.limits.max_attributes == 7
    assert settings.limits.max_value_length == 256
    assert settings.log_attribute_values is True
    assert settings.attempt_timeout_seconds == 1.5
    assert settings.max_attempts == 4


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_ATTRIBUTES", "ten", "whole number"),
        ("MAX_ATTRIBUTES", "2.5", "whole number"),
        ("REQUEST_BUDGET_SECONDS", "-1", "positive"),
        ("LOG_ATTRIBUTE_VALUES", "maybe", "true or false"),
        ("RESPONSE_MARGIN_SECONDS", "20", "smaller than REQUEST_BUDGET_SECONDS"),
        ("ATTEMPT_TIMEOUT_SECONDS", "12", "must not exceed REQUEST_BUDGET_SECONDS"),
        ("ATTEMPT_TIMEOUT_SECONDS", "0", "positive"),
        ("MAX_ATTEMPTS", "0", "positive"),
        ("MAX_ATTEMPTS", "2.5", "whole number"),
    ],
)
def test_malformed_settings_are_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environment({"GENESYS_SECRET_ID": "s", name: value})


def test_a_budget_below_the_default_attempt_timeout_is_accepted_and_bounds_the_attempt() -> None:
    """Only an ATTEMPT_TIMEOUT_SECONDS set above the budget is a mistake; the default gives way, since an
    attempt never outlasts what is left of the budget anyway."""
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s", "REQUEST_BUDGET_SECONDS": "1"})

    assert settings.attempt_timeout_seconds == 3.0
    _, read = Deadline.for_invocation(settings, lambda_remaining_ms=None).timeouts(
        settings.connect_timeout_seconds, settings.attempt_timeout_seconds
    )
    assert read <= 0.5
    assert (
        Settings.from_environment(
            {"GENESYS_SECRET_ID": "s", "REQUEST_BUDGET_SECONDS": "4", "ATTEMPT_TIMEOUT_SECONDS": "4"}
        ).attempt_timeout_seconds
        == 4.0
    )


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


OUTBOX = {
    "GENESYS_SECRET_ID": "s",
    "OUTBOX_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/participant-data-outbox.fifo",
    "OUTBOX_TABLE_NAME": "participant-data-pending",
}


def test_the_outbox_is_off_unless_configured() -> None:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s"})

    assert settings.outbox_enabled is False
    assert (settings.outbox_queue_url, settings.outbox_table_name) == ("", "")
    assert settings.outbox_max_age_seconds == 3600.0
    assert settings.outbox_reserve_seconds == 1.0


def test_the_outbox_is_on_when_its_queue_and_table_are_named() -> None:
    settings = Settings.from_environment(
        {**OUTBOX, "OUTBOX_MAX_AGE_SECONDS": "600", "OUTBOX_RESERVE_SECONDS": "1.5"}
    )

    assert settings.outbox_enabled is True
    assert settings.outbox_queue_url == OUTBOX["OUTBOX_QUEUE_URL"]
    assert settings.outbox_table_name == OUTBOX["OUTBOX_TABLE_NAME"]
    assert settings.outbox_max_age_seconds == 600.0
    assert settings.outbox_reserve_seconds == 1.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"OUTBOX_TABLE_NAME": ""}, "both OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME"),
        ({"OUTBOX_QUEUE_URL": ""}, "both OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME"),
        ({"OUTBOX_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/standard"}, "FIFO"),
        ({"OUTBOX_MAX_AGE_SECONDS": "1209601"}, "must not exceed 1209600"),
        ({"OUTBOX_MAX_AGE_SECONDS": "0"}, "positive"),
        ({"OUTBOX_RESERVE_SECONDS": "9.5"}, "OUTBOX_RESERVE_SECONDS must be smaller"),
        ({"OUTBOX_RESERVE_SECONDS": "-1"}, "positive"),
    ],
)
def test_a_malformed_outbox_configuration_is_refused_by_name(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environment({**OUTBOX, **changes})


def test_outbox_limits_are_not_checked_while_it_is_off() -> None:
    settings = Settings.from_environment({"GENESYS_SECRET_ID": "s", "OUTBOX_RESERVE_SECONDS": "20"})

    assert settings.outbox_enabled is False
