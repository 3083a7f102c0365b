"""What the template must stay in step with: limits of Genesys Cloud and AWS (each with its source) and the
environment variables the code reads."""

from __future__ import annotations

from dataclasses import fields

from aws_lambda_powertools.shared import constants as powertools_constants

from participant_data.settings import Limits, Settings

# A REST API integration gives up after 29 s (docs/genesys-facts.md#api-gateway-integration-timeout).
API_GATEWAY_TIMEOUT_SECONDS = 29

# One Genesys Cloud org runs at most 50 data actions at once and 2500 a minute, the figures published
# last (docs/genesys-facts.md#data-action-limits): one org's peak is what the stack must let through.
GENESYS_CONCURRENT_DATA_ACTIONS = 50
GENESYS_DATA_ACTIONS_PER_MINUTE = 2500
MINUTES_PER_QUOTA_PERIOD = {"DAY": 24 * 60, "WEEK": 7 * 24 * 60, "MONTH": 31 * 24 * 60}  # the longest month

# The retention periods CloudWatch Logs accepts (Amazon CloudWatch Logs API Reference, PutRetentionPolicy,
# `retentionInDays`).
CLOUDWATCH_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

# Settings.from_environment reads each field from the variable of its name in upper case.
SETTINGS_VARIABLES = frozenset(
    {field.name.upper() for field in fields(Settings) if field.name != "limits"}
    | {field.name.upper() for field in fields(Limits)}
)
# The variables Powertools for AWS Lambda reads (its shared constants name each one `..._ENV`).
POWERTOOLS_VARIABLES = frozenset(
    value
    for name, value in vars(powertools_constants).items()
    if name.endswith("_ENV") and isinstance(value, str)
)
