"""The composition root: builds the container's long-lived objects once, from the settings.

They live across warm invocations: the cached secret and the Secrets Manager client, the SDK client and its
token, pooled connections, the customer-participant cache and, when configured, the outbox's clients.
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
from participant_data.outbox import Outbox
from participant_data.outbox.aws import ClientFactory as AwsClientFactory
from participant_data.outbox.aws import DeadlineBoundClient
from participant_data.outbox.marks import PendingMarks
from participant_data.outbox.queue import OutboxQueue
from participant_data.secrets import ClientFactory, SecretStore
from participant_data.settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class Dependencies:
    settings: Settings
    genesys: GenesysGateway
    customers: CustomerParticipantCache
    outbox: Outbox | None = None  # None: no outbox configured (OUTBOX_QUEUE_URL, OUTBOX_TABLE_NAME unset)


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
    return Dependencies(settings, gateway, customers, build_outbox(settings))


def build_outbox(settings: Settings, client_factory: AwsClientFactory | None = None) -> Outbox | None:
    """The outbox's queue and table, or None when the deployment has none. Their clients are built on
    first use, not here: nothing of AWS's is made during init, where SnapStart would snapshot it.

    One attempt of an outbox call takes at most OUTBOX_RESERVE_SECONDS (and ATTEMPT_TIMEOUT_SECONDS): the
    mark read on every write must not cost more than a small part of the budget, and a write that
    Genesys could not take is stored in what the reserve kept back."""
    if not settings.outbox_enabled:
        return None

    def client(service: str) -> DeadlineBoundClient:
        return DeadlineBoundClient(
            service,
            connect_timeout_cap=settings.connect_timeout_seconds,
            attempt_timeout_cap=min(settings.attempt_timeout_seconds, settings.outbox_reserve_seconds),
            max_attempts=settings.max_attempts,
            on_retry=record_retry,
            client_factory=client_factory,
        )

    return Outbox(
        queue=OutboxQueue(settings.outbox_queue_url, client("sqs")),
        marks=PendingMarks(settings.outbox_table_name, client("dynamodb"), settings.outbox_max_age_seconds),
        reserve_seconds=settings.outbox_reserve_seconds,
    )


@cache
def dependencies() -> Dependencies:
    """The container's dependencies, built on first use (raises ConfigurationError until configured)."""
    return build_dependencies(load_settings())
