"""The emulator's listening socket: where it may listen, and the connections it keeps track of.

One base URL serves the login path (``POST /oauth/token``), the Platform API paths (``/api/v2/...``) and
the emulator's own admin API (``/_emulator/...``): each connection is answered by
:class:`~genesys_emulator.http_handler.EmulatorRequestHandler`. docs/emulator.md describes the wire
behaviour for users.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import socketserver
import ssl
import threading
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .errors import NonLoopbackHostError
from .http_handler import IDLE_CONNECTION_TIMEOUT, EmulatorRequestHandler

if TYPE_CHECKING:
    from .emulator import GenesysEmulator

logger = logging.getLogger("genesys_emulator")


def loopback_address(host: str) -> tuple[str, socket.AddressFamily]:
    """The address to bind for ``host`` and its family; refuses anything that is not loopback.

    Accepts "localhost" (bound as 127.0.0.1), any 127.0.0.0/8 address and ::1 (brackets allowed).
    """
    if host == "localhost":
        return "127.0.0.1", socket.AF_INET
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise NonLoopbackHostError(
            f"refusing to listen on {host!r}: the Genesys emulator has no authentication of its own and "
            "only listens on loopback (127.0.0.1, localhost or ::1)"
        )
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    return str(address), family


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) that knows its open connections, to close them on stop.

    With ``tls`` every accepted connection is wrapped server-side; its handshake happens in the
    connection's own thread (:meth:`finish_request`), so a slow or broken client never holds up accept.
    """

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # socketserver's 5 drops connection bursts (a 1 s SYN retry each)

    def __init__(
        self,
        address: tuple[str, int],
        family: socket.AddressFamily,
        emulator: GenesysEmulator,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self.tls = tls
        self._connections: set[socket.socket] = set()
        self._connections_changed = threading.Condition()
        super().__init__(address, EmulatorRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a needless (and possibly slow) DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, client_address = super().get_request()
        if self.tls is not None:
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, client_address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(IDLE_CONNECTION_TIMEOUT)
            request.do_handshake()  # a failed handshake ends here, logged by handle_error
        super().finish_request(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_changed:
            self._connections.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_changed:
                self._connections.discard(request)
                self._connections_changed.notify_all()

    def close_connections(self, timeout: float) -> None:
        """Shut down every open connection (idle keep-alive ones too) and wait for their threads."""
        with self._connections_changed:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections_changed.wait_for(lambda: not self._connections, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Connections the client or stop() broke are routine here; anything else is a bug worth a trace.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)
