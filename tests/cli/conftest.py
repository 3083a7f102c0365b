"""The operator CLI against the Genesys Cloud emulator and moto_server on loopback, both started here and
stopped afterwards (localdev.stack)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from localdev.moto_server import MotoServer
from localdev.stack import LocalStack, local_stack
from tests.cli.runner import Cli


@pytest.fixture
def stack(moto_server: MotoServer) -> Iterator[LocalStack]:
    with local_stack(moto=moto_server, secret_name=f"genesys/participant-data/cli-{uuid.uuid4()}") as running:
        yield running


@pytest.fixture
def cli(stack: LocalStack, tmp_path: Path) -> Cli:
    return Cli(stack, tmp_path)
