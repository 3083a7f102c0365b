"""The Genesys credentials, read from AWS Secrets Manager and cached in the container.

When the secret is read, within the invocation's deadline:

- **First read** (nothing cached) and **forced read** (`refresh=True`: Genesys rejected the cached
  credentials): attempts of at most ATTEMPT_TIMEOUT_SECONDS, at most MAX_ATTEMPTS, while the budget lasts;
  if none succeeds the request fails. A forced read is never answered from the cache: the cached
  credentials are known bad, so they are dropped before it starts.
- **Re-read after SECRET_CACHE_TTL_SECONDS** (to pick up a rotation): optional, since the cached
  credentials still work at Genesys (if they did not, Genesys's rejection would force a read). So it is a
  single attempt, bounded by the per-attempt timeout and by half of what is left of the budget, the other
  half staying for Genesys. If Secrets Manager is unavailable (refused or reset connections, timeouts, 5xx,
  throttling), the request goes on with the cached credentials: a warning is logged, `SecretServedStale`
  counted, and the next re-read waits a back-off (5 s, doubling up to 60 s) during which requests use the
  cache without trying (each counted too). An outage thus costs one caller per back-off one bounded
  attempt, not every caller its budget.
- **A re-read that Secrets Manager answers with a refusal** (AccessDeniedException, ResourceNotFound, a
  KMS DecryptionFailure, a secret scheduled for deletion), or with content that is not valid credentials,
  is not an outage but a change to the deployment: the cache is dropped and the request fails with
  `service_misconfigured`, as a new container would. Serving on would hide it in warm containers while new
  ones fail, and would keep using a secret its owner deleted or withdrew from this function.

The Secrets Manager client is built on the first read and kept until `forget()` (a SnapStart restore);
an attempt with less than a full attempt left gets a one-off client whose timeouts end with the budget
(`aws_clients.KeptClient` says why). Unlike the Genesys transport (urllib3's `total`), botocore has no
timeout for connect and read together: an attempt whose connect succeeds just before its timeout and
whose answer then never comes can take their sum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from participant_data.aws_clients import KeptClient, service_factory
from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import ConfigurationError, UpstreamTimeout, UpstreamUnavailable
from participant_data.genesys.credentials import GenesysCredentials
from participant_data.observability import logger, record_secret_served_stale, tracer

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Answers that say the deployment is wrong: retrying cannot help, an operator must act.
_MISCONFIGURED = {
    "ResourceNotFoundException": "does not exist",
    "AccessDeniedException": "cannot be read by this function (IAM)",
    "DecryptionFailure": "cannot be decrypted (KMS)",
    "InvalidRequestException": "cannot be read now (deleted or pending deletion?)",
    "InvalidParameterException": "cannot be read (invalid parameter)",
}

# The share of what is left of the budget a re-read after the TTL may use: the rest is Genesys's.
REREAD_BUDGET_SHARE = 0.5
# After a failed re-read the cache is used without trying for this long, doubled per failure up to the cap.
REREAD_BACKOFF_SECONDS = 5.0
REREAD_BACKOFF_CAP_SECONDS = 60.0

ClientFactory = Callable[[float, float], "SecretsManagerClient"]


class SecretStore:
    """The Genesys credentials from one secret, fetched within the invocation's deadline."""

    def __init__(
        self,
        secret_id: str,
        ttl_seconds: float,
        connect_timeout_cap: float,
        attempt_timeout_cap: float,
        max_attempts: int,
        backoff: Backoff,
        on_retry: Callable[[str], None],
        client_factory: ClientFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_served_stale: Callable[[], None] = record_secret_served_stale,
    ) -> None:
        self._secret_id = secret_id
        self._ttl = ttl_seconds
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._on_retry = on_retry
        self._clock = clock
        self._on_served_stale = on_served_stale
        self._client: KeptClient[SecretsManagerClient] = KeptClient(
            client_factory or service_factory("secretsmanager"), connect_timeout_cap, attempt_timeout_cap
        )
        self._cached: GenesysCredentials | None = None
        self._fetched_at = 0.0
        self._failed_rereads = 0
        self._next_reread_at = 0.0

    def credentials(self, deadline: Deadline, *, refresh: bool = False) -> GenesysCredentials:
        """The cached credentials; read first when none are cached or `refresh` is set (failing if the
        read fails), or re-read when older than the TTL (keeping them if Secrets Manager is unavailable)."""
        cached = self._cached
        if refresh or cached is None:
            self._cached = None  # known bad (refresh) or absent: nothing to fall back on
            return self._keep(self._fetch(deadline))
        if self._clock() - self._fetched_at < self._ttl:
            return cached
        return self._reread_or_keep(deadline, cached)

    def forget(self) -> None:
        """Drop the cached credentials and the client with its connections (SnapStart restore)."""
        self._cached = None
        self._failed_rereads, self._next_reread_at = 0, 0.0
        self._client.forget()

    def _keep(self, credentials: GenesysCredentials) -> GenesysCredentials:
        self._cached, self._fetched_at = credentials, self._clock()
        self._failed_rereads, self._next_reread_at = 0, 0.0
        return credentials

    def _reread_or_keep(self, deadline: Deadline, cached: GenesysCredentials) -> GenesysCredentials:
        if self._clock() < self._next_reread_at:
            self._on_served_stale()
            return cached
        try:
            return self._keep(self._reread(deadline.share(REREAD_BUDGET_SHARE)))
        except ConfigurationError:
            self._cached = None  # Secrets Manager answered: the deployment changed, fail as a new container
            raise
        except RetryableFailure as failure:
            self._back_off(failure.reason, cached)
        except UpstreamTimeout:
            pass  # no time left in this request even to try: a later request will
        self._on_served_stale()
        return cached

    def _back_off(self, reason: str, cached: GenesysCredentials) -> None:
        now = self._clock()
        wait = min(REREAD_BACKOFF_CAP_SECONDS, REREAD_BACKOFF_SECONDS * 2**self._failed_rereads)
        self._failed_rereads += 1
        self._next_reread_at = now + wait
        logger.warning(
            "Re-reading the Genesys secret failed: serving the cached credentials",
            extra={
                "secret_reread_failure": reason,
                "secret_age_seconds": round(now - self._fetched_at, 1),
                "next_reread_in_seconds": wait,
            },
        )

    @tracer.capture_method(capture_response=False)
    def _fetch(self, deadline: Deadline) -> GenesysCredentials:
        secret_string = run_with_retries(
            lambda: self._read_secret_string(deadline),
            deadline,
            self._backoff,
            self._on_retry,
            max_attempts=self._max_attempts,
        )
        return GenesysCredentials.from_secret_string(secret_string, self._secret_id)

    @tracer.capture_method(capture_response=False)
    def _reread(self, deadline: Deadline) -> GenesysCredentials:
        """One attempt: raises RetryableFailure, or UpstreamTimeout when no attempt fits."""
        return GenesysCredentials.from_secret_string(self._read_secret_string(deadline), self._secret_id)

    def _read_secret_string(self, deadline: Deadline) -> str | None:
        client = self._client.within(deadline)
        try:
            answer: dict[str, Any] = dict(client.get_secret_value(SecretId=self._secret_id))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _MISCONFIGURED:
                raise ConfigurationError(f"The secret {self._secret_id} {_MISCONFIGURED[code]}.") from None
            raise RetryableFailure(
                f"secretsmanager:{code or 'error'}",
                UpstreamUnavailable("AWS Secrets Manager is not answering normally; try again shortly."),
            ) from None
        except (ConnectTimeoutError, ReadTimeoutError):
            raise RetryableFailure(
                "secretsmanager:timeout", UpstreamTimeout("AWS Secrets Manager did not answer in time.")
            ) from None
        except BotoCoreError:
            raise RetryableFailure(
                "secretsmanager:connection",
                UpstreamUnavailable("AWS Secrets Manager cannot be reached; try again shortly."),
            ) from None
        return answer.get("SecretString")
