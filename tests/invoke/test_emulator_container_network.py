"""The emulator listens beyond loopback only when asked to, and only inside a container.

No test here listens on anything but loopback: the container side is proven by tests/invoke/
test_make_invoke.py, where the emulator runs in a container with --container-network.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_emulator import GenesysEmulator, NonLoopbackHostError, container_network
from genesys_emulator.container_network import container_network_address, inside_container
from tests.invoke.conftest import REPO, run


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    path = tmp_path / ".dockerenv"
    path.touch()
    return path


def test_inside_a_container_it_is_every_ipv4_interface(marker: Path) -> None:
    assert inside_container([marker])
    assert container_network_address([marker]) == ("0.0.0.0", socket.AF_INET)  # noqa: S104


def test_outside_a_container_it_is_refused(tmp_path: Path) -> None:
    absent = [tmp_path / ".dockerenv", tmp_path / "run" / ".containerenv"]

    assert not inside_container(absent)
    with pytest.raises(NonLoopbackHostError, match="outside a container"):
        container_network_address(absent)


def test_the_emulator_refuses_container_network_outside_a_container(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(container_network, "CONTAINER_MARKERS", (tmp_path / ".dockerenv",))

    with pytest.raises(NonLoopbackHostError):
        GenesysEmulator(container_network=True)


def test_the_emulator_accepts_container_network_inside_one(
    monkeypatch: pytest.MonkeyPatch, marker: Path
) -> None:
    monkeypatch.setattr(container_network, "CONTAINER_MARKERS", (marker,))

    GenesysEmulator(container_network=True)  # constructed, never started: nothing listens


def test_without_the_flag_a_non_loopback_host_is_still_refused(
    monkeypatch: pytest.MonkeyPatch, marker: Path
) -> None:
    monkeypatch.setattr(container_network, "CONTAINER_MARKERS", (marker,))

    with pytest.raises(NonLoopbackHostError):
        GenesysEmulator("0.0.0.0")  # noqa: S104


def emulator_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    return run([sys.executable, "-m", "genesys_emulator", *arguments], environment, 30)


@pytest.mark.skipif(inside_container(), reason="this machine is itself a container: the flag is allowed here")
def test_the_cli_refuses_the_flag_outside_a_container() -> None:
    result = emulator_cli("--container-network")

    assert result.returncode == 2
    assert "outside a container" in result.stderr
    assert result.stdout == ""


def test_the_cli_takes_either_a_host_or_the_container_network() -> None:
    result = emulator_cli("--host", "127.0.0.1", "--container-network")

    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
