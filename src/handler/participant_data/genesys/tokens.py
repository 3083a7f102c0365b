"""Client-credentials access tokens, kept across invocations and renewed before they expire.

The SDK's `ApiClient.get_client_credentials_token` keeps only `access_token`, drops `expires_in` and
never renews a client-credentials token, so a cached client would get 401s once it expires
(docs/genesys-facts.md#sdk-token-refresh). This module asks the token endpoint itself, through the
same deadline-bound transport, and keeps the expiry.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from participant_data.errors import UpstreamRejected
from participant_data.genesys.credentials import GenesysCredentials
from participant_data.genesys.sdk import ApiException, HttpRequestOptions
from participant_data.genesys.transport import DeadlineHttpClient
from participant_data.observability import tracer


class CredentialsRejected(Exception):
    """The token endpoint refused the client id or secret (400 or 401 with an OAuth error: which one Genesys
    uses for an unknown client versus a wrong secret is unconfirmed, so both mean this)."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str = field(repr=False)
    renew_at: float  # time.monotonic() seconds


class TokenProvider:
    def __init__(
        self,
        http: DeadlineHttpClient,
        refresh_margin_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._token: AccessToken | None = None
        self._issued_for: GenesysCredentials | None = None

    def token(self, credentials: GenesysCredentials) -> str:
        """A token for these credentials that is not due for renewal, fetched if needed.

        Must be called inside `DeadlineHttpClient.within(deadline)`.
        """
        token = self._token
        if token is None or self._issued_for != credentials or self._clock() >= token.renew_at:
            token = self._fetch(credentials)
            self._token, self._issued_for = token, credentials
        return token.value

    def forget(self) -> None:
        """Drop the cached token (after a 401, or a SnapStart restore)."""
        self._token = None

    @tracer.capture_method(capture_response=False)
    def _fetch(self, credentials: GenesysCredentials) -> AccessToken:
        requested_at = self._clock()
        basic = base64.b64encode(f"{credentials.client_id}:{credentials.client_secret}".encode()).decode()
        options = HttpRequestOptions(
            url=f"{credentials.login_base_url}/oauth/token",
            method="POST",
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
            post_params={"grant_type": "client_credentials"},
        )
        try:
            response = self._http.request(options)
        except ApiException as error:
            if error.status in (400, 401):
                raise CredentialsRejected from None
            raise UpstreamRejected(
                f"The Genesys Cloud token endpoint refused the request (HTTP {error.status}).",
                code="genesys_token_refused",
            ) from None
        return _parse_token(response.data, requested_at, self._margin)


def _parse_token(body: str, requested_at: float, margin: float) -> AccessToken:
    """`{access_token, token_type, expires_in}`; anything else is a bad gateway answer.

    The token is renewed `margin` seconds before it expires, or a tenth of its lifetime for short ones.
    """
    try:
        document = json.loads(body)
        value, lifetime = document["access_token"], float(document["expires_in"])
        if isinstance(value, str) and value and lifetime > 0:
            return AccessToken(value=value, renew_at=requested_at + lifetime - min(margin, lifetime / 10))
    except (ValueError, TypeError, KeyError):
        pass
    raise UpstreamRejected(
        "The Genesys Cloud token endpoint sent an answer that is not a token.", code="genesys_bad_response"
    )
