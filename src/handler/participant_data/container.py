"""The composition root: builds the container's long-lived objects once, from the settings.

They live across warm invocations: the cached secret and the Secrets Manager client, the SDK client and its
token, pooled connections and the customer-participant cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from participant_data.deadline import Backoff
from participant_data.genesys.gateway import CredentialsSource, GenesysGateway
from participant_data.genesys.tokens import TokenProvider
from participant_data.genesys.transport import DeadlineHttpClient
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.observability import record_retry, record_upstream_latency
from participant_data.secrets import ClientFactory, SecretStore
from participant_data.settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class Dependencies:
    settings: Settings
    genesys: GenesysGateway
    customers: CustomerParticipantCache


def build_dependencies(
    settings: Settings,
    secrets_client_factory: ClientFactory | None = None,
    credentials: CredentialsSource | None = None,
) -> Dependencies:
    """`credentials` defaults to the secret the settings name (the function); the operator CLI may pass
    credentials of its own."""
    backoff = Backoff()
    http = DeadlineHttpClient(
        connect_timeout_cap=settings.connect_timeout_seconds,
        backoff=backoff,
        on_retry=record_retry,
        on_response=record_upstream_latency,
        attempt_timeout_cap=settings.attempt_timeout_seconds,
        max_attempts=settings.max_attempts,
    )
    if credentials is None:
        credentials = SecretStore(
            secret_id=settings.genesys_secret_id,
            ttl_seconds=settings.secret_cache_ttl_seconds,
            connect_timeout_cap=settings.connect_timeout_seconds,
            attempt_timeout_cap=settings.attempt_timeout_seconds,
            max_attempts=settings.max_attempts,
            backoff=backoff,
            on_retry=record_retry,
            client_factory=secrets_client_factory,
        )
    gateway = GenesysGateway(credentials, http, TokenProvider(http, settings.token_refresh_margin_seconds))
    customers = CustomerParticipantCache(settings.participant_cache_size, settings.customer_cache_ttl_seconds)
    return Dependencies(settings, gateway, customers)


@cache
def dependencies() -> Dependencies:
    """The container's dependencies, built on first use (raises ConfigurationError until configured)."""
    return build_dependencies(load_settings())
