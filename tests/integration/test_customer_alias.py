"""The `customer` alias over real HTTP: the customer still on the call gets the write, and a remembered
resolution is given up after CUSTOMER_CACHE_TTL_SECONDS, so writes follow a transfer or a callback."""

from __future__ import annotations

import time
import uuid

from tests.events import CONVERSATION, PARTICIPANT, api_event, response_body
from tests.integration.conftest import LocalStack

EARLY, LATER = "2026-01-30T09:00:00.000Z", "2026-01-30T09:04:00.000Z"
CONVERSATION_READS = ("GET", "/api/v2/conversations")


def write_to_customer(stack: LocalStack, conversation_id: str = CONVERSATION, step: str = "1") -> str:
    """PATCH through the alias; the participant id the service answers with."""
    response = stack.invoke(
        api_event(
            "rest",
            conversation_id=conversation_id,
            participant_id="customer",
            body={"attributes": {"step": step}},
        )
    )
    assert response["statusCode"] == 200, response
    return str(response_body(response)["participantId"])


def test_the_write_goes_to_the_customer_still_on_the_call_not_to_the_first_listed(stack: LocalStack) -> None:
    conversation_id = str(uuid.uuid4())
    left, on = str(uuid.uuid4()), str(uuid.uuid4())
    stack.emulator.create_conversation(
        [
            {"id": left, "purpose": "customer", "connected_time": LATER, "end_time": LATER},
            {"id": str(uuid.uuid4()), "purpose": "agent"},
            {"id": on, "purpose": "customer", "connected_time": EARLY},
        ],
        conversation_id=conversation_id,
    )

    assert write_to_customer(stack, conversation_id) == on
    assert stack.emulator.participant_attributes(conversation_id, on) == {"step": "1"}
    assert stack.emulator.participant_attributes(conversation_id, left) == {}


def test_among_customers_still_on_the_most_recently_connected_gets_the_write(stack: LocalStack) -> None:
    conversation_id = str(uuid.uuid4())
    earlier, latest = str(uuid.uuid4()), str(uuid.uuid4())
    stack.emulator.create_conversation(
        [{"id": latest, "connected_time": LATER}, {"id": earlier, "connected_time": EARLY}],
        conversation_id=conversation_id,
    )

    assert write_to_customer(stack, conversation_id) == latest


def test_when_every_customer_has_left_the_last_one_seen_gets_the_write(stack: LocalStack) -> None:
    conversation_id = str(uuid.uuid4())
    first, last = str(uuid.uuid4()), str(uuid.uuid4())
    stack.emulator.create_conversation(
        [{"id": first, "end_time": EARLY}, {"id": last, "end_time": LATER}], conversation_id=conversation_id
    )

    assert write_to_customer(stack, conversation_id) == last


def test_within_the_ttl_the_remembered_customer_is_written_without_a_new_read(stack: LocalStack) -> None:
    assert write_to_customer(stack) == PARTICIPANT
    stack.emulator.end_participant(CONVERSATION, PARTICIPANT)
    stack.emulator.add_participant(CONVERSATION, {"purpose": "customer"})
    stack.emulator.clear_requests()

    assert write_to_customer(stack, step="2") == PARTICIPANT  # the default TTL (30 s) has not run out

    assert stack.requests(*CONVERSATION_READS) == 0


def test_after_the_ttl_the_alias_follows_a_new_customer_participant(stack: LocalStack) -> None:
    stack.configure(CUSTOMER_CACHE_TTL_SECONDS="1")
    assert write_to_customer(stack) == PARTICIPANT
    # A transfer: the customer's leg ends and a new customer participant joins the same conversation.
    stack.emulator.end_participant(CONVERSATION, PARTICIPANT)
    newcomer = stack.emulator.add_participant(CONVERSATION, {"purpose": "customer"})["id"]
    stack.emulator.clear_requests()

    time.sleep(1.2)  # past the TTL (a behaviour of the cache, not a timing assertion)
    assert write_to_customer(stack, step="2") == newcomer

    assert stack.requests(*CONVERSATION_READS) == 1
    assert stack.emulator.participant_attributes(CONVERSATION, newcomer) == {"step": "2"}
    assert stack.attributes()["step"] == "1"  # the customer who left kept the first write only
