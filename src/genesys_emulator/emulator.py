"""The emulator's Python interface: :class:`GenesysEmulator`, to start, seed, misbehave and inspect.

In-process users (tests, ``make demo``) call it directly; out-of-process ones reach the same methods
through the admin HTTP API (:mod:`genesys_emulator.admin_api`, client :class:`EmulatorAdmin`). The
emulated org behind it is :class:`~genesys_emulator.state.EmulatorState`; the socket it serves on is
:class:`~genesys_emulator.http_server.EmulatorHTTPServer`.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from .container_network import container_network_address
from .errors import RATE_LIMIT_WINDOW_SECONDS
from .http_server import EmulatorHTTPServer, loopback_address
from .models import (
    DEFAULT_TOKEN_LIFETIME,
    ConversationInfo,
    Fault,
    OAuthClient,
    ParticipantInfo,
    RecordedRequest,
)
from .state import EmulatorState


class GenesysEmulator:
    """A local Genesys Cloud (login + Platform API subset) on loopback, with fault injection.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with GenesysEmulator() as emu:
            emu.add_client("client-id", "secret")
            conv = emu.create_conversation([{"purpose": "customer"}])
            ...  # point the code under test at emu.base_url

    ``clients`` and ``rate_limit`` are the start-up configuration that :meth:`reset` returns to.
    ``tls`` (a server-side ``ssl.SSLContext`` with a certificate loaded) serves HTTPS instead of HTTP, so
    that a client can be tested with certificate verification on (the conformance suite's real-org path).
    ``log_requests`` logs one line per answered request on the "genesys_emulator" logger (INFO); tokens
    and bodies are never logged. Every method is thread-safe and works before :meth:`start` too.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clients: Iterable[OAuthClient] = (),
        rate_limit: int | None = None,
        log_requests: bool = False,
        container_network: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        # container_network: every interface of the container this runs in, instead of `host` (make invoke).
        self._address, self._family = (
            container_network_address() if container_network else loopback_address(host)
        )
        self._requested_port = port
        self._tls = tls
        self.state = EmulatorState(clients, rate_limit)
        self.log_requests = log_requests
        self.stopping = threading.Event()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free port) and serve in a daemon thread. An emulator starts only once."""
        with self._lifecycle:
            if self._server is not None or self.stopping.is_set():
                raise RuntimeError("this emulator was already started; create a new GenesysEmulator")
            server = EmulatorHTTPServer((self._address, self._requested_port), self._family, self, self._tls)
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                name="genesys-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: release hung requests, close every connection, wait for the handler threads."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            if server is None or self.stopping.is_set():
                self.stopping.set()
                return
            self.stopping.set()
        # shutdown() waits for serve_forever() to notice, which polls every 0.5 s unless woken: a
        # connection to the listening socket wakes it at once.
        stopper = threading.Thread(target=server.shutdown, name="genesys-emulator-stop")
        stopper.start()
        with contextlib.suppress(OSError):
            socket.create_connection((self._address, int(server.server_address[1])), timeout=1.0).close()
        stopper.join()
        server.server_close()
        server.close_connections(timeout)
        if thread is not None:
            thread.join(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None and not self.stopping.is_set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started: call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``http://[::1]:PORT`` on IPv6; ``https`` with ``tls``): login and API
        share it."""
        host = f"[{self._address}]" if self._family == socket.AF_INET6 else self._address
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://{host}:{self.port}"

    @property
    def organization_id(self) -> str:
        return self.state.org_id

    # --- OAuth clients and tokens ----------------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        name: str | None = None,
    ) -> None:
        """Accept this client-credentials client (or replace the one with this id)."""
        self.state.add_client(OAuthClient(client_id, client_secret, token_lifetime, name))

    def rotate_client_secret(self, client_id: str, new_secret: str) -> None:
        """Replace a client's secret; the old secret is rejected afterwards. KeyError if unknown."""
        self.state.rotate_client_secret(client_id, new_secret)

    def revoke_tokens(self) -> None:
        """Revoke every token issued so far (they answer 401 ``bad.credentials``)."""
        self.state.revoke_tokens()

    def expire_tokens(self) -> None:
        """Expire every token issued so far (they answer 401 ``bad.credentials``)."""
        self.state.expire_tokens()

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token ever issued (since the last reset), oldest first."""
        return self.state.issued_tokens()

    def set_rate_limit(self, limit: int | None, window_seconds: float = RATE_LIMIT_WINDOW_SECONDS) -> None:
        """At most ``limit`` /api/v2 requests per token per sliding window (Genesys: 300/min); None: off."""
        self.state.set_rate_limit(limit, window_seconds)

    # --- conversations ---------------------------------------------------------------------------------

    def create_conversation(
        self, participants: Sequence[Mapping[str, Any]], conversation_id: str | None = None
    ) -> ConversationInfo:
        """Seed a conversation; participant keys (all optional): id, purpose, state, attributes,
        start_time, connected_time, end_time (see :class:`ParticipantSpec`)."""
        return self.state.create_conversation(participants, conversation_id)

    def add_participant(self, conversation_id: str, participant: Mapping[str, Any]) -> ParticipantInfo:
        """A participant joins the conversation (a transfer, a callback); keys as when seeding.
        KeyError if the conversation is unknown, ValueError for a bad spec or a duplicate id."""
        return self.state.add_participant(conversation_id, participant)

    def end_participant(
        self, conversation_id: str, participant_id: str, end_time: datetime | str | None = None
    ) -> ParticipantInfo:
        """The participant leaves: ``endTime`` (now unless given) and its call ``disconnected``; it
        stays listed. KeyError if the conversation or participant is unknown."""
        return self.state.end_participant(conversation_id, participant_id, end_time)

    def get_conversation(self, conversation_id: str) -> ConversationInfo:
        """A seeded conversation with its participants' current attributes. KeyError if unknown."""
        return self.state.conversation_info(conversation_id)

    def participant_attributes(self, conversation_id: str, participant_id: str) -> dict[str, str]:
        """A copy of a participant's attributes. KeyError if the conversation or participant is unknown."""
        return self.state.participant_attributes(conversation_id, participant_id)

    # --- faults ----------------------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        """Queue a fault (see :class:`Fault`)."""
        self.state.inject_fault(fault)

    def clear_faults(self) -> None:
        self.state.clear_faults()

    @property
    def faults(self) -> list[Fault]:
        """The queued faults, each with its remaining count."""
        return self.state.pending_faults()

    # --- recorded requests -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every login and API request answered since the last clear (admin requests are not recorded)."""
        return self.state.recorded()

    def count_requests(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many recorded requests have this method and/or a path under this prefix."""
        return len(self.state.recorded(method, path_prefix))

    def clear_requests(self) -> None:
        self.state.clear_requests()

    def reset(self) -> None:
        """Back to the start-up configuration: tokens, conversations, faults, requests, added clients."""
        self.state.reset()
