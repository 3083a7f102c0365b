"""The one exception to "loopback only": listening on a container's network, inside a container.

``make invoke`` runs the function under ``sam local invoke`` in a container on a Docker network the run
creates, and the emulator in another container on that network, where the function reaches it by name:
loopback would be the emulator's own container. That network holds only the run's containers, so the
emulator (which has no authentication) may listen on every interface there, and only there: outside a
container this is refused as any other non-loopback host is.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

from .errors import NonLoopbackHostError

ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # nosec B104  # only inside a container, checked below
# Files container engines create at the root of every container: Docker's /.dockerenv, Podman's
# /run/.containerenv.
CONTAINER_MARKERS: Sequence[Path] = (Path("/.dockerenv"), Path("/run/.containerenv"))


def inside_container(markers: Sequence[Path] | None = None) -> bool:
    """Whether this process runs in a container (one of the engines' marker files exists)."""
    return any(marker.exists() for marker in (CONTAINER_MARKERS if markers is None else markers))


def container_network_address(markers: Sequence[Path] | None = None) -> tuple[str, socket.AddressFamily]:
    """Every IPv4 interface of this container; refused (NonLoopbackHostError) outside a container."""
    if not inside_container(markers):
        raise NonLoopbackHostError(
            "refusing to listen on a container network outside a container: the Genesys emulator has no "
            "authentication of its own and listens only on loopback, or on the network of the container "
            "it runs in"
        )
    return ALL_INTERFACES, socket.AF_INET
