"""The stand-ins of one `make invoke` run as containers: moto_server and the Genesys Cloud emulator on a
Docker network of the run's own, where the function (which `sam local invoke` puts on that network too)
reaches them by container name.

Each runs `python -m ...` in the Lambda base image (it has Python 3.13) with the project's src/ and the
virtualenv's packages mounted read-only. Their ports are published on 127.0.0.1 only, so that this
process can seed them (the secret, the OAuth client, the conversation) and read the emulator back. On
exit every container on the network, SAM's included, and the network are removed.
"""

from __future__ import annotations

import signal
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from genesys_emulator import EmulatorAdmin
from genesys_emulator.container_network import ALL_INTERFACES
from localdev.docker import docker, published_port, remove_network
from localdev.moto_server import LOOPBACK, put_genesys_secret
from localdev.stack import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ATTRIBUTES, SECRET_NAME

SRC = Path(__file__).resolve().parents[1]
# Ports inside the stand-in containers (each has its own network namespace, so fixed ports do not clash).
EMULATOR_PORT, MOTO_PORT = 8080, 5000
RUN_LABEL = "genesys-participant-data.invoke"
STARTUP_TIMEOUT_SECONDS = 60.0
# Declared under the template's Environment, or SAM would not pass them (it passes only the variables a
# function declares, and its own AWS_* ones); the env-vars file gives them their values.
STAND_IN_VARIABLES = ("AWS_ENDPOINT_URL_SECRETS_MANAGER",)


@dataclass(frozen=True)
class StandIns:
    """The stand-in containers of one run: names on the run's network, URLs on this machine's loopback."""

    network: str
    emulator_container: str
    moto_container: str
    admin: EmulatorAdmin
    moto_url: str

    def function_variables(self) -> dict[str, str]:
        """The env-vars file's values: the stand-ins as the function reaches them, by container name."""
        return {
            "GENESYS_SECRET_ID": SECRET_NAME,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto_url_in_network,
        }

    @property
    def emulator_url_in_network(self) -> str:
        return f"http://{self.emulator_container}:{EMULATOR_PORT}"

    @property
    def moto_url_in_network(self) -> str:
        return f"http://{self.moto_container}:{MOTO_PORT}"


@contextmanager
def stand_ins(run_id: str, image: str, conversation_id: str, customer_id: str) -> Iterator[StandIns]:
    """The run's network with the seeded stand-ins on it; on exit every container on it, and it, removed."""
    network = run_id
    emulator, moto = f"{run_id}-genesys", f"{run_id}-moto"
    docker("network", "create", "--label", f"{RUN_LABEL}={run_id}", network)
    try:
        emulator_url = _start_stand_in(
            emulator,
            network,
            image,
            EMULATOR_PORT,
            [
                *("genesys_emulator", "--container-network", "--port", str(EMULATOR_PORT), "--log-requests"),
                *("--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET),
            ],
        )
        moto_url = _start_stand_in(
            moto,
            network,
            image,
            MOTO_PORT,
            ["moto.server", "-H", ALL_INTERFACES, "-p", str(MOTO_PORT)],
        )
        _wait_until_answering(emulator, f"{emulator_url}/_emulator/requests")
        _wait_until_answering(moto, f"{moto_url}/moto-api/")
        running = StandIns(network, emulator, moto, EmulatorAdmin(emulator_url), moto_url)
        running.admin.create_conversation(
            [
                {"id": customer_id, "purpose": "customer", "attributes": dict(CUSTOMER_ATTRIBUTES)},
                {"purpose": "ivr"},
            ],
            conversation_id=conversation_id,
        )
        # The secret the function reads: the client credentials and the emulator's URL on the network.
        put_genesys_secret(moto_url, SECRET_NAME, CLIENT_ID, CLIENT_SECRET, running.emulator_url_in_network)
        yield running
    finally:
        with _signals_ignored():  # a second Ctrl-C must not cut the clean-up short
            left = remove_network(network, also=[emulator, moto])
        if left:
            print(f"Could not remove {', '.join(left)}: remove them with docker rm -f / docker network rm.")


@contextmanager
def _signals_ignored() -> Iterator[None]:
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _start_stand_in(name: str, network: str, image: str, port: int, module: Sequence[str]) -> str:
    """`python -m MODULE ARGUMENTS...` (`module`) in a container of the base image (it has Python 3.13),
    with the project's src/ and the virtualenv's packages mounted read-only; its URL on this machine's
    loopback."""
    site_packages = sysconfig.get_paths()["purelib"]
    docker(
        "run",
        "--detach",
        *("--name", name, "--network", network, "--label", f"{RUN_LABEL}={network}"),
        *("--publish", f"{LOOPBACK}::{port}"),
        *("--volume", f"{SRC}:/stand-ins/src:ro"),
        *("--volume", f"{site_packages}:/stand-ins/packages:ro"),
        *("--env", "PYTHONPATH=/stand-ins/src:/stand-ins/packages", "--env", "PYTHONDONTWRITEBYTECODE=1"),
        *("--entrypoint", "/var/lang/bin/python3.13", image, "-m", *module),
    )
    return f"http://{LOOPBACK}:{published_port(name, port)}"


def _wait_until_answering(container: str, url: str) -> None:
    """Until `url` answers anything over HTTP; RuntimeError with the container's log if it never does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # nosec B310  # loopback http
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if docker("inspect", "--format", "{{.State.Running}}", container) != "true":
                break
            time.sleep(0.2)
    log = docker("logs", "--tail", "20", container)
    raise RuntimeError(f"the stand-in {container} did not answer at {url}:\n{log}")
