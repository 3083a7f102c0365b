"""Genesys Cloud as the service needs it: merge attributes, find the customer, read attributes, check health.

The SDK client and its token live across warm invocations; every call runs inside the invocation's
deadline through `DeadlineHttpClient`, and Genesys's error answers become the service's errors here.
The OAuth client credentials come from a `CredentialsSource`: the Lambda's `SecretStore`, or
`StaticCredentials` given once (the operator CLI's environment variables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from participant_data.deadline import Deadline
from participant_data.errors import (
    CustomerNotFound,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    UpstreamRejected,
)
from participant_data.genesys.credentials import GenesysCredentials
from participant_data.genesys.customer_selection import choose_customer
from participant_data.genesys.sdk import (
    ApiClient,
    ApiException,
    ConversationsApi,
    ParticipantAttributes,
)
from participant_data.genesys.tokens import CredentialsRejected, TokenProvider
from participant_data.genesys.transport import DeadlineHttpClient
from participant_data.genesys.write_target import WriteTarget, write_target
from participant_data.models import CUSTOMER_ALIAS
from participant_data.observability import tracer

# A well-formed conversation id that names no conversation: the health check reads it (see check_health).
HEALTH_PROBE_CONVERSATION_ID = "00000000-0000-4000-8000-000000000000"


class ParticipantData(NamedTuple):
    participant_id: str  # resolved: never the alias
    attributes: dict[str, str]


class CredentialsSource(Protocol):
    """Where the OAuth client credentials come from (`SecretStore` is one)."""

    def credentials(self, deadline: Deadline, *, refresh: bool = False) -> GenesysCredentials:
        """The credentials; `refresh` asks to read them again (after Genesys rejected them)."""
        ...

    def forget(self) -> None: ...


class StaticCredentials:
    """Credentials given once, e.g. from environment variables: nothing to re-read, nothing to forget."""

    def __init__(self, credentials: GenesysCredentials) -> None:
        self._credentials = credentials

    def credentials(self, deadline: Deadline, *, refresh: bool = False) -> GenesysCredentials:
        return self._credentials

    def forget(self) -> None:
        pass


class GenesysGateway:
    def __init__(
        self, credentials: CredentialsSource, http: DeadlineHttpClient, tokens: TokenProvider
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._tokens = tokens
        self._api_client: ApiClient | None = None

    @tracer.capture_method(capture_response=False)
    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None:
        """One `PATCH .../participants/{pid}/attributes` carrying only the keys to set.

        Genesys answers 202 with no body (docs/genesys-facts.md#participant-attributes-patch) and merges
        per key (docs/genesys-facts.md#merge-vs-replace): keys other writers set are kept, so no
        read-modify-write is needed or wanted.
        """
        body = ParticipantAttributes()
        body.attributes = dict(attributes)
        self._call(
            deadline,
            lambda client: ConversationsApi(client).patch_conversation_participant_attributes(
                conversation_id, participant_id, body
            ),
        )

    @tracer.capture_method(capture_response=False)
    def customer_participant_id(self, conversation_id: str, deadline: Deadline) -> str | None:
        """The id of the participant the `customer` alias names, if any: `choose_customer` over the
        participants of `GET /api/v2/conversations/{id}` (docs/genesys-facts.md#get-conversation)."""
        customer = choose_customer(self._conversation(conversation_id, deadline).participants)
        return str(customer.id) if customer is not None else None

    @tracer.capture_method(capture_response=False)
    def participant_attributes(
        self, conversation_id: str, participant_id: str, deadline: Deadline
    ) -> ParticipantData:
        """One participant's id and attributes, from `GET /api/v2/conversations/{id}`,
        which lists `participants[]` with `id`, `purpose` and `attributes`
        (docs/genesys-facts.md#get-conversation). `participant_id` may be the alias `customer`, resolved
        from the same answer by the same rule as an update's (`choose_customer`).

        Needs the permission `conversation:communication:view` in the OAuth client's role (same fact).
        Genesys applies a PATCH asynchronously, so a read right after one may not show it yet
        (docs/genesys-facts.md#participant-attributes-patch).
        """
        conversation = self._conversation(conversation_id, deadline)
        if participant_id == CUSTOMER_ALIAS:
            participant = choose_customer(conversation.participants)
            if participant is None:
                raise CustomerNotFound()
        else:
            participant = _participant(conversation, participant_id)
            if participant is None:
                raise NotFound("The conversation has no participant with this participantId.")
        attributes = {str(key): str(value) for key, value in (participant.attributes or {}).items()}
        return ParticipantData(str(participant.id), attributes)

    @tracer.capture_method(capture_response=False)
    def write_target(self, conversation_id: str, participant_id: str, deadline: Deadline) -> WriteTarget:
        """Where a queued write for `participant_id` (a UUID or `customer`) can go now, from one
        `GET /api/v2/conversations/{id}` (genesys/write_target.py: ended or not, the alias resolved)."""
        return write_target(self._conversation(conversation_id, deadline), participant_id)

    @tracer.capture_method(capture_response=False)
    def check_health(self, deadline: Deadline) -> None:
        """Secret readable, token obtainable, and the role still holds what callers depend on: one
        `GET /api/v2/conversations/{HEALTH_PROBE_CONVERSATION_ID}`, a conversation that does not exist.

        404 is healthy: the token was accepted and the request got past the permission check to the
        lookup. 403 is unhealthy (`genesys_forbidden`): the role lost `conversation:communication:view`,
        so the `customer` alias fails for every caller. Any other failure is unhealthy as for an update.
        Assumed, not confirmed by Genesys: the permission is checked before the id is looked up
        (docs/genesys-facts.md#permission-before-lookup); were it the other way round, a lost permission
        would still answer 404 here and show only on the alias's calls.
        `HEAD /api/v2/tokens/me` is no longer called: this request proves the token too (401 comes
        before everything else), and one request uses less of the per-token rate limit than two.
        """
        try:
            self._conversation(HEALTH_PROBE_CONVERSATION_ID, deadline)
        except NotFound:
            return
        except UpstreamRejected as error:
            if error.code != "genesys_forbidden":
                raise
            raise UpstreamRejected(
                "Genesys Cloud refused to read a conversation (HTTP 403): the OAuth client's role lacks"
                " conversation:communication:view, which the `customer` alias needs.",
                code="genesys_forbidden",
            ) from None

    def reset(self) -> None:
        """Forget the token, the credentials and pooled connections (SnapStart restore)."""
        self._tokens.forget()
        self._credentials.forget()
        self._http.drop_connections()

    def _conversation(self, conversation_id: str, deadline: Deadline) -> Any:
        """The SDK's `Conversation` (untyped: the SDK ships no type hints)."""
        return self._call(deadline, lambda client: ConversationsApi(client).get_conversation(conversation_id))

    def _call[T](self, deadline: Deadline, operation: Callable[[ApiClient], T]) -> T:
        with self._http.within(deadline):
            try:
                return operation(self._authorized_client(deadline))
            except ApiException as error:
                if error.status != 401:
                    raise _translate(error) from None
            # The token was revoked or expired early: renew it once and try once more.
            self._tokens.forget()
            try:
                return operation(self._authorized_client(deadline))
            except ApiException as error:
                raise _translate(error) from None

    def _authorized_client(self, deadline: Deadline) -> ApiClient:
        credentials = self._credentials.credentials(deadline)
        try:
            token = self._tokens.token(credentials)
        except CredentialsRejected:
            # The secret may have been rotated since it was cached: read it again, once.
            credentials = self._credentials.credentials(deadline, refresh=True)
            try:
                token = self._tokens.token(credentials)
            except CredentialsRejected:
                raise UpstreamRejected(
                    "Genesys Cloud rejected the OAuth client credentials (wrong client ID or secret, or the"
                    " OAuth client was deleted).",
                    code="genesys_credentials_rejected",
                ) from None
        client = self._client_for(credentials)
        client.access_token = token
        return client

    def _client_for(self, credentials: GenesysCredentials) -> ApiClient:
        """The SDK client for the credentials' region, built once and kept warm."""
        if self._api_client is None or self._api_client.host != credentials.api_base_url:
            client = ApiClient(host=credentials.api_base_url)
            client.set_http_client(self._http)
            self._api_client = client
        return self._api_client


def _participant(conversation: Any, participant_id: str) -> Any | None:
    for participant in conversation.participants or []:
        if participant.id and str(participant.id).lower() == participant_id.lower():
            return participant
    return None


def _translate(error: ApiException) -> ServiceError:
    """Genesys's non-retryable answers, 400/401/403/404/409/413/415
    (docs/genesys-facts.md#platform-api-errors)."""
    status = error.status
    if status == 404:
        return NotFound("Genesys Cloud has no such conversation, or no such participant in it.")
    if status == 413:
        return PayloadTooLarge(
            "Genesys Cloud refused the request as too large.", code="genesys_payload_too_large"
        )
    if status == 400:
        return InvalidRequest(
            "Genesys Cloud rejected the request as invalid; check the IDs and attribute values.",
            code="genesys_rejected_input",
        )
    if status == 403:
        return UpstreamRejected(
            "The Genesys OAuth client's role lacks the permission for this call (HTTP 403).",
            code="genesys_forbidden",
        )
    if status == 401:
        return UpstreamRejected(
            "Genesys Cloud refused a freshly issued token (HTTP 401).", code="genesys_unauthorized"
        )
    return UpstreamRejected(f"Genesys Cloud refused the request (HTTP {status}).")
