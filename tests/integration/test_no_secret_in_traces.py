"""X-Ray traces carry no client secret and no token, across every path that reads or uses them.

Powertools' `capture_method` records a method's return value and any exception in the trace
(docs/genesys-facts.md#powertools). Tracing is off outside Lambda, so this test turns the X-Ray SDK on,
gives the recorder an emitter that keeps every segment it would send to the daemon, runs the handler
inside a segment, and searches the serialized segments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_xray_sdk import global_sdk_config
from aws_xray_sdk.core import xray_recorder

from genesys_emulator import Fault
from participant_data.handlers.direct_invocation import DataActionFailed
from participant_data.logic.health_check import Unhealthy
from tests.events import api_event, event
from tests.integration.conftest import CLIENT_SECRET, LocalStack


class KeepingEmitter:
    """Stands in for the UDP emitter to the X-Ray daemon: keeps what would be sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(entity.serialize())

    def set_daemon_address(self, address: str | None) -> None:
        pass

    @property
    def ip(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return 2000


@pytest.fixture
def emitter() -> Iterator[KeepingEmitter]:
    keeping = KeepingEmitter()
    previous = xray_recorder.emitter
    was_enabled = global_sdk_config.sdk_enabled()
    global_sdk_config.set_sdk_enabled(True)
    xray_recorder.configure(emitter=keeping, sampling=False, context_missing="LOG_ERROR")
    try:
        yield keeping
    finally:
        xray_recorder.configure(emitter=previous)
        global_sdk_config.set_sdk_enabled(was_enabled)


def test_traces_record_the_calls_but_no_secret_or_token(stack: LocalStack, emitter: KeepingEmitter) -> None:
    def traced(request: Any) -> None:
        xray_recorder.begin_segment("participant-data-test")
        try:
            stack.invoke(request)
        except (DataActionFailed, Unhealthy):
            pass
        finally:
            xray_recorder.end_segment()

    traced(api_event("rest"))
    traced(event("direct-invocation"))
    traced(event("scheduled"))
    stack.emulator.revoke_tokens()
    traced(api_event("rest"))  # 401, a new token, the PATCH again
    stack.rotate_secret("rotated-secret-Tr44")
    stack.emulator.revoke_tokens()
    traced(api_event("rest"))  # the secret read again
    stack.emulator.inject_fault(Fault(action="malformed_json", path_prefix="/oauth/token"))
    stack.emulator.revoke_tokens()
    traced(api_event("rest"))  # an error recorded in the trace

    everything = "\n".join(emitter.sent)
    names = {sub["name"] for segment in map(json.loads, emitter.sent) for sub in _subsegments(segment)}
    for method in ("SecretStore._fetch", "TokenProvider._fetch", "GenesysGateway.set_attributes"):
        assert any(name.endswith(method) for name in names), (method, names)
    assert "exception" in everything  # errors are recorded, so the search below covers them
    credentials = [CLIENT_SECRET, "rotated-secret-Tr44", *stack.emulator.issued_tokens]
    assert len(stack.emulator.issued_tokens) >= 3
    assert [c for c in credentials if c in everything] == []


def _subsegments(entity: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sub in entity.get("subsegments", []):
        yield sub
        yield from _subsegments(sub)
