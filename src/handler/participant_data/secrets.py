"""Reads the Genesys credentials from AWS Secrets Manager, cached in the container for a TTL."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from participant_data.deadline import Backoff, Deadline, RetryableFailure, run_with_retries
from participant_data.errors import ConfigurationError, UpstreamTimeout, UpstreamUnavailable
from participant_data.genesys.credentials import GenesysCredentials
from participant_data.observability import tracer

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

ClientFactory = Callable[[float, float], "SecretsManagerClient"]


class SecretStore:
    """The Genesys credentials from one secret, fetched within the invocation's deadline."""

    def __init__(
        self,
        secret_id: str,
        ttl_seconds: float,
        connect_timeout_cap: float,
        backoff: Backoff,
        on_retry: Callable[[str], None],
        client_factory: ClientFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_id = secret_id
        self._ttl = ttl_seconds
        self._connect_cap = connect_timeout_cap
        self._backoff = backoff
        self._on_retry = on_retry
        self._client_factory = client_factory or _boto3_client_factory()
        self._clock = clock
        self._cached: GenesysCredentials | None = None
        self._fetched_at = 0.0

    def credentials(self, deadline: Deadline, *, refresh: bool = False) -> GenesysCredentials:
        """The cached credentials, or fresh ones when the cache is older than the TTL or `refresh` is set."""
        if refresh or self._cached is None or self._clock() - self._fetched_at >= self._ttl:
            self._cached = self._fetch(deadline)
            self._fetched_at = self._clock()
        return self._cached

    def forget(self) -> None:
        self._cached = None

    @tracer.capture_method(capture_response=False)
    def _fetch(self, deadline: Deadline) -> GenesysCredentials:
        secret_string = run_with_retries(
            lambda: self._read_secret_string(deadline), deadline, self._backoff, self._on_retry
        )
        return GenesysCredentials.from_secret_string(secret_string, self._secret_id)

    def _read_secret_string(self, deadline: Deadline) -> str | None:
        connect, read = deadline.timeouts(self._connect_cap)
        client = self._client_factory(connect, read)
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


def _boto3_client_factory() -> ClientFactory:
    """Clients whose timeouts fit the deadline; botocore's own retries are off (ours know the budget)."""
    session = boto3.session.Session()

    def make_client(connect_timeout: float, read_timeout: float) -> SecretsManagerClient:
        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1},
        )
        return session.client("secretsmanager", config=config)

    return make_client
