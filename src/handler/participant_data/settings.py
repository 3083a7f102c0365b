"""The service's configuration: one typed, immutable model, read from the environment once per container."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from participant_data.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may carry, sized for IVR data: tens of keys, short values.

    The platform itself rejects bodies over 512000 bytes (docs/genesys-facts.md#request-size); per-key
    limits for API writes are not published, so these defaults are ours and configurable.
    """

    max_attributes: int = 50
    max_key_length: int = 128
    max_value_length: int = 2048
    max_body_bytes: int = 65536
    # Optional allow-list of attribute keys: exact names and name prefixes, each read comma-separated
    # (`ALLOWED_ATTRIBUTE_KEYS=ivr_choice,customer_tier`, `ALLOWED_ATTRIBUTE_PREFIXES=ivr_,crm.`).
    # When both are empty (the default) any key is accepted; otherwise a key must be one of the names or
    # start with one of the prefixes, or the request is refused naming it.
    allowed_attribute_keys: frozenset[str] = frozenset()
    allowed_attribute_prefixes: tuple[str, ...] = ()

    @property
    def restricts_keys(self) -> bool:
        return bool(self.allowed_attribute_keys or self.allowed_attribute_prefixes)

    def allows_key(self, key: str) -> bool:
        return (
            not self.restricts_keys
            or key in self.allowed_attribute_keys
            or key.startswith(self.allowed_attribute_prefixes)
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service reads from its environment. `GENESYS_SECRET_ID` is the only required one."""

    genesys_secret_id: str
    # The caller waits on the line: the whole invocation answers within this many seconds.
    request_budget_seconds: float = 10.0
    # Kept back from the budget (and from Lambda's remaining time) to shape and return the answer.
    response_margin_seconds: float = 0.5
    # A connect that takes longer than this will not succeed: fail over to a retry instead.
    connect_timeout_seconds: float = 2.0
    # One attempt of an outbound call (connect and answer) gives up after this long and is retried on a new
    # connection while the budget lasts (participant_data/deadline.py says why 3 s); never longer than what
    # is left of the budget, so a budget set below it simply makes one attempt as long as the budget.
    attempt_timeout_seconds: float = 3.0
    # Attempts per outbound call (a Genesys request, a Secrets Manager read), the first one included.
    max_attempts: int = 3
    secret_cache_ttl_seconds: float = 300.0
    # Tokens are renewed this long before `expires_in` runs out (Genesys allows lifetimes down to 300 s).
    token_refresh_margin_seconds: float = 60.0
    # Conversations whose `customer` alias resolution is remembered in a warm container.
    participant_cache_size: int = 1024
    # ...and for this long. A flow's data-action calls come seconds apart, so most still skip the GET;
    # a transfer or callback can add a new customer participant mid-call, and writes follow it after
    # at most this long (one extra GET per conversation per TTL is far below Genesys's rate limit).
    customer_cache_ttl_seconds: float = 30.0
    # Attribute values are caller data (possibly personal): logged only when an operator opts in.
    log_attribute_values: bool = False
    # The outbox (issue 13): writes Genesys cannot take within the budget (429, 5xx, timeouts) are kept in
    # this SQS FIFO queue and applied by `app.queue_worker`; the table marks the participants that have
    # queued writes, so their later writes queue behind them. On only when both are set.
    outbox_queue_url: str = ""
    outbox_table_name: str = ""
    # A queued write older than this is dropped by the worker; the pending marks expire with it.
    outbox_max_age_seconds: float = 3600.0
    # Kept back from the budget (outbox on only) so a Genesys failure that takes the rest still leaves
    # the time to mark and queue the write; also the longest one attempt of an outbox call may take.
    outbox_reserve_seconds: float = 1.0
    limits: Limits = Limits()

    @property
    def outbox_enabled(self) -> bool:
        return bool(self.outbox_queue_url and self.outbox_table_name)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check every setting; a missing or malformed one raises ConfigurationError.

        Each field is read from the environment variable of the same name in upper case
        (`request_budget_seconds` from `REQUEST_BUDGET_SECONDS`, `max_attributes` from `MAX_ATTRIBUTES`).
        """
        secret_id = environ.get("GENESYS_SECRET_ID", "").strip()
        if not secret_id:
            raise ConfigurationError("GENESYS_SECRET_ID is not set")
        settings = cls(
            genesys_secret_id=secret_id,
            limits=Limits(**_read_fields(Limits, environ)),
            **_read_fields(cls, environ, skip={"genesys_secret_id", "limits"}),
        )
        if settings.response_margin_seconds >= settings.request_budget_seconds:
            raise ConfigurationError("RESPONSE_MARGIN_SECONDS must be smaller than REQUEST_BUDGET_SECONDS")
        attempt_set = bool(environ.get("ATTEMPT_TIMEOUT_SECONDS", "").strip())  # the default adapts instead
        if attempt_set and settings.attempt_timeout_seconds > settings.request_budget_seconds:
            raise ConfigurationError("ATTEMPT_TIMEOUT_SECONDS must not exceed REQUEST_BUDGET_SECONDS")
        _check_outbox(settings)
        return settings


# SQS keeps a message at most 14 days (docs/genesys-facts.md#sqs-fifo): a write may not wait longer.
MAX_OUTBOX_AGE_SECONDS = 1_209_600


def _check_outbox(settings: Settings) -> None:
    if bool(settings.outbox_queue_url) != bool(settings.outbox_table_name):
        raise ConfigurationError("Set both OUTBOX_QUEUE_URL and OUTBOX_TABLE_NAME, or neither (no outbox)")
    if not settings.outbox_enabled:
        return
    if not settings.outbox_queue_url.endswith(".fifo"):
        raise ConfigurationError("OUTBOX_QUEUE_URL must name a FIFO queue (its name ends in .fifo)")
    if settings.outbox_max_age_seconds > MAX_OUTBOX_AGE_SECONDS:
        raise ConfigurationError(f"OUTBOX_MAX_AGE_SECONDS must not exceed {MAX_OUTBOX_AGE_SECONDS} (14 days)")
    if settings.outbox_reserve_seconds >= settings.request_budget_seconds - settings.response_margin_seconds:
        raise ConfigurationError(
            "OUTBOX_RESERVE_SECONDS must be smaller than REQUEST_BUDGET_SECONDS less RESPONSE_MARGIN_SECONDS"
        )


def _read_fields(
    model: type, environ: Mapping[str, str], skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    return {
        field.name: _read(environ, field.name.upper(), field.default)
        for field in fields(model)
        if field.name not in skip
    }


def _read(environ: Mapping[str, str], name: str, default: Any) -> Any:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if isinstance(default, str):
        return raw
    if isinstance(default, frozenset | tuple):  # a comma-separated list of names (blank items dropped)
        names = sorted({item.strip() for item in raw.split(",") if item.strip()})
        return type(default)(names)
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigurationError(f"{name} must be true or false, got {raw!r}")
    kind = type(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name} must be a {'whole ' if kind is int else ''}number, got {raw!r}"
        ) from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, got {raw!r}")
    return value


@cache
def load_settings() -> Settings:
    """The container's settings, read once on first use."""
    return Settings.from_environment(os.environ)
