"""The few Docker CLI calls `make invoke` makes: is a daemon there, images, a network, containers on it."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404  # runs the docker CLI with our own arguments
from collections.abc import Sequence

# `docker info` answers at once when a daemon is there; a daemon that takes longer counts as absent.
DAEMON_TIMEOUT_SECONDS = 15.0


class DockerError(RuntimeError):
    """A docker command failed; the message is docker's own."""


def docker(*arguments: str, timeout: float = 120.0) -> str:
    """Run `docker ARGUMENTS`, return its stdout (stripped); DockerError with its stderr when it fails."""
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603, B607  # docker from PATH, our arguments
            ["docker", *arguments],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DockerError(f"docker {arguments[0]}: {error}") from error
    if result.returncode != 0:
        raise DockerError(result.stderr.strip() or f"docker {arguments[0]} exited {result.returncode}")
    return result.stdout.strip()


def daemon_problem() -> str | None:
    """None when a Docker daemon answers; otherwise why not, in a few words."""
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    where = os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        docker("info", "--format", "{{.ServerVersion}}", timeout=DAEMON_TIMEOUT_SECONDS)
    except DockerError:
        return f"no Docker daemon answers at {where}"
    return None


def image_exists(image: str) -> bool:
    try:
        docker("image", "inspect", "--format", "{{.Id}}", image)
    except DockerError:
        return False
    return True


def published_port(container: str, port: int) -> int:
    """The loopback port of this machine that `container`'s `port` is published on."""
    # One line per address family, such as "127.0.0.1:49153".
    first = docker("port", container, f"{port}/tcp").splitlines()[0]
    return int(first.rsplit(":", 1)[1])


def containers_on(network: str) -> list[str]:
    """IDs of the containers attached to `network` (none when it does not exist)."""
    try:
        listed = docker(
            "network", "inspect", "--format", "{{range $id, $c := .Containers}}{{$id}} {{end}}", network
        )
    except DockerError:
        return []
    return listed.split()


def remove_network(network: str, also: Sequence[str] = ()) -> list[str]:
    """Remove `network` with every container on it and the containers `also` names; what could not be."""
    left: list[str] = []
    containers = list(dict.fromkeys([*also, *containers_on(network)]))
    for container in containers:
        try:
            docker("rm", "--force", "--volumes", container)
        except DockerError as error:
            if "No such container" not in str(error):
                left.append(f"container {container}")
    try:
        docker("network", "rm", network)
    except DockerError as error:
        if "not found" not in str(error):
            left.append(f"network {network}")
    return left
