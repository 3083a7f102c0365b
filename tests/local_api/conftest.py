"""The local API in front of the real handler, against a fresh emulator and moto_server's Secrets Manager,
over real loopback sockets. Every server is started here and stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import app
from localdev.local_api import LocalApi
from localdev.moto_server import MotoServer
from localdev.stack import LocalStack, local_stack

API_KEY = "local-api-key-for-tests"


@pytest.fixture
def stack(moto_server: MotoServer) -> Iterator[LocalStack]:
    with local_stack(moto=moto_server) as running:
        yield running


@pytest.fixture
def request_log() -> list[str]:
    """The lines the local API logs, one per request."""
    return []


@pytest.fixture
def local_api(stack: LocalStack, request_log: list[str]) -> Iterator[LocalApi]:
    with LocalApi(app.lambda_handler, API_KEY, log=request_log.append) as api:
        yield api
