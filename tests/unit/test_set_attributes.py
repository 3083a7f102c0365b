from __future__ import annotations

import pytest

from participant_data.deadline import Deadline
from participant_data.errors import NotFound, UpstreamRejected, UpstreamUnavailable
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.logic.health_check import Unhealthy, check_health
from participant_data.logic.set_attributes import set_attributes
from participant_data.models import CUSTOMER_ALIAS, AttributeUpdate
from tests.unit.fakes import FakeGenesys

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
CUSTOMER = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def update(participant: str = CUSTOMER, **attributes: str) -> AttributeUpdate:
    return AttributeUpdate(CONVERSATION, participant, attributes or {"tier": "gold"})


def test_an_explicit_participant_makes_exactly_one_patch_with_only_the_requested_keys() -> None:
    genesys = FakeGenesys()

    result = set_attributes(
        update(tier="gold", ivr="billing"), Deadline(5), genesys, CustomerParticipantCache(10)
    )

    assert genesys.patches == [(CONVERSATION, CUSTOMER, {"tier": "gold", "ivr": "billing"})]
    assert genesys.lookups == []
    assert result.to_dict() == {
        "conversationId": CONVERSATION,
        "participantId": CUSTOMER,
        "updatedKeys": ["tier", "ivr"],
        "updatedCount": 2,
        "queued": False,
    }


def test_the_customer_alias_is_resolved_once_per_conversation() -> None:
    genesys = FakeGenesys(customers={CONVERSATION: CUSTOMER})
    customers = CustomerParticipantCache(10)

    first = set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)
    second = set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)

    assert first.participant_id == second.participant_id == CUSTOMER
    assert genesys.lookups == [CONVERSATION]
    assert [patch[1] for patch in genesys.patches] == [CUSTOMER, CUSTOMER]


def test_a_conversation_without_customer_is_not_found_and_nothing_is_patched() -> None:
    genesys = FakeGenesys()

    with pytest.raises(NotFound) as raised:
        set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, CustomerParticipantCache(10))

    assert raised.value.code == "customer_not_found"
    assert genesys.patches == []


def test_a_404_forgets_the_remembered_customer() -> None:
    genesys = FakeGenesys(customers={CONVERSATION: CUSTOMER})
    customers = CustomerParticipantCache(10)
    set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)
    genesys.error = NotFound("gone")

    with pytest.raises(NotFound):
        set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)

    assert customers.get(CONVERSATION) is None


def test_after_the_ttl_the_alias_is_resolved_again_and_follows_a_new_customer() -> None:
    now = [0.0]
    genesys = FakeGenesys(customers={CONVERSATION: CUSTOMER})
    customers = CustomerParticipantCache(10, ttl_seconds=30.0, clock=lambda: now[0])
    set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)
    genesys.customers[CONVERSATION] = "new-customer-after-a-transfer"

    now[0] = 29.0
    before = set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)
    now[0] = 30.0
    after = set_attributes(update(CUSTOMER_ALIAS), Deadline(5), genesys, customers)

    assert (before.participant_id, after.participant_id) == (CUSTOMER, "new-customer-after-a-transfer")
    assert genesys.lookups == [CONVERSATION, CONVERSATION]


def test_the_cache_keeps_only_the_most_recent_conversations() -> None:
    customers = CustomerParticipantCache(2)
    customers.remember("c1", "p1")
    customers.remember("c2", "p2")
    customers.get("c1")
    customers.remember("c3", "p3")

    assert (customers.get("c1"), customers.get("c2"), customers.get("c3")) == ("p1", None, "p3")


def test_the_health_check_passes_or_raises_with_the_error_code() -> None:
    genesys = FakeGenesys()
    assert check_health(Deadline(5), genesys) == {"healthy": True}

    genesys.error = UpstreamUnavailable("Genesys is down")
    with pytest.raises(Unhealthy, match="upstream_unavailable: Genesys is down"):
        check_health(Deadline(5), genesys)


def test_a_lost_permission_makes_the_health_check_fail_with_genesys_forbidden() -> None:
    genesys = FakeGenesys()
    genesys.error = UpstreamRejected("The role lacks the permission.", code="genesys_forbidden")

    with pytest.raises(Unhealthy, match="genesys_forbidden"):
        check_health(Deadline(5), genesys)


def test_values_are_logged_only_when_the_operator_opts_in(caplog: pytest.LogCaptureFixture) -> None:
    genesys = FakeGenesys()
    set_attributes(update(tier="platinum"), Deadline(5), genesys, CustomerParticipantCache(10))
    set_attributes(
        update(tier="platinum"), Deadline(5), genesys, CustomerParticipantCache(10), log_values=True
    )

    default, opted_in = (record.__dict__ for record in caplog.records)
    assert default["keys"] == opted_in["keys"] == ["tier"]
    assert "attributes" not in default
    assert opted_in["attributes"] == {"tier": "platinum"}
