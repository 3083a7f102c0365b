"""Unit-test fixtures shared by the handler tests."""

from __future__ import annotations

import pytest

from participant_data.container import Dependencies
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.settings import load_settings
from tests.events import CONVERSATION, PARTICIPANT
from tests.unit.fakes import FakeGenesys


@pytest.fixture
def genesys(monkeypatch: pytest.MonkeyPatch) -> FakeGenesys:
    """Genesys replaced by a recording fake in every handler's dependencies (the sample conversation's
    customer is the sample participant)."""
    fake = FakeGenesys(customers={CONVERSATION: PARTICIPANT})
    deps = Dependencies(load_settings(), fake, CustomerParticipantCache(10))  # type: ignore[arg-type]
    for module in ("api_gateway", "direct_invocation", "scheduled"):
        monkeypatch.setattr(f"participant_data.handlers.{module}.dependencies", lambda: deps)
    return fake
