"""The suite's own HTTP client: urllib3, explicit timeouts, TLS verification always on, no retries.

Deliberately not the Genesys SDK's client (its urllib3 pool retries and sleeps on its own:
docs/genesys-facts.md#sdk-retry-sleeps), and not the service's transport: the suite must see every
answer exactly as Genesys sent it. Retrying after a 429 is the session's decision
(:mod:`conformance.session`), never the transport's.
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class RawAnswer:
    """What came back for one request: an answer, or the transport error that replaced it."""

    status: int | None  # None: no answer (connection refused, TLS failure, timeout)
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    seconds: float = 0.0
    error: str | None = None

    @property
    def media_type(self) -> str | None:
        """The Content-Type without its parameters, lower-cased; None without the header."""
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def tls_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """Certificates and host names verified. With ``ca_bundle`` only that bundle is trusted (a test's own
    CA), otherwise the system's trust store. There is no way to turn verification off."""
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle is not None else None)


class HttpClient:
    """One connection pool; each request either returns a :class:`RawAnswer` or records why it got none."""

    def __init__(self, ca_bundle: Path | None = None) -> None:
        self._pool = urllib3.PoolManager(
            ssl_context=tls_context(ca_bundle),
            timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS),
            retries=False,
        )

    def request(self, method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> RawAnswer:
        started = time.monotonic()
        try:
            response = self._pool.request(method, url, headers=headers, body=body, redirect=False)
        except urllib3.exceptions.HTTPError as error:
            # The text names the host and the failure (refused, certificate, timeout), never a header.
            return RawAnswer(
                None, seconds=time.monotonic() - started, error=f"{type(error).__name__}: {error}"
            )
        return RawAnswer(
            status=response.status,
            headers={name.lower(): value for name, value in response.headers.items()},
            body=response.data or b"",
            seconds=time.monotonic() - started,
        )

    def close(self) -> None:
        self._pool.clear()
