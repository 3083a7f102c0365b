"""A loopback TCP relay in front of a real server (moto_server), whose behaviour a test switches while a
warm container keeps its client and connections: forward, hang, or refuse.

The service's Secrets Manager client is built once and kept, with its endpoint; a test that wants
Secrets Manager to fail for a warm container therefore cannot just point the endpoint elsewhere. It points
the container at the relay from the start and switches the relay.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from localdev.moto_server import LOOPBACK


class Relay:
    """Forwards every connection to `target_port`; `hang()` swallows what clients send from then on (the
    server never sees the request, the client waits for an answer), `refuse()` closes the port and every
    connection (new connects are refused), `forward()` forwards again (not after `refuse()`)."""

    def __init__(self, target_port: int) -> None:
        self._target = (LOOPBACK, target_port)
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.connections = 0
        self.requests = 0  # HTTP requests clients started to send, forwarded or swallowed
        self._hanging = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        self._hanging.set()

    def forward(self) -> None:
        self._hanging.clear()

    def refuse(self) -> None:
        # shutdown() first: close() alone would not wake the threads blocked in accept() and recv(), and
        # the kernel would keep the port listening and the connections open while they wait.
        with self._lock:
            for connection in [self._listener, *self._sockets]:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self._sockets.clear()

    close = refuse

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # refused or closed
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self.connections += 1
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_client:
                    with self._lock:
                        self.requests += data.count(b" HTTP/1.1\r\n")
                    if self._hanging.is_set():
                        continue  # swallowed: the request never reaches the server
                target.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            target.close()
