"""GenesysGateway.participant_attributes and StaticCredentials, over real HTTP against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from genesys_emulator import Fault, GenesysEmulator
from participant_data.deadline import Backoff, Deadline
from participant_data.errors import NotFound, UpstreamRejected
from participant_data.genesys.credentials import GenesysCredentials
from participant_data.genesys.gateway import (
    HEALTH_PROBE_CONVERSATION_ID,
    GenesysGateway,
    ParticipantData,
    StaticCredentials,
)
from participant_data.genesys.tokens import TokenProvider
from participant_data.genesys.transport import DeadlineHttpClient

pytestmark = pytest.mark.integration

CLIENT_ID, CLIENT_SECRET = "reader", "reader-secret-Qm4-do-not-leak"
CUSTOMER = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def emulator() -> Iterator[GenesysEmulator]:
    with GenesysEmulator() as running:
        running.add_client(CLIENT_ID, CLIENT_SECRET)
        yield running


def gateway_for(emulator: GenesysEmulator, secret: str = CLIENT_SECRET) -> GenesysGateway:
    http = DeadlineHttpClient(2.0, Backoff(), on_retry=lambda reason: None, on_response=lambda seconds: None)
    credentials = StaticCredentials(GenesysCredentials(CLIENT_ID, secret, emulator.base_url))
    return GenesysGateway(credentials, http, TokenProvider(http, 60.0))


def conversation(emulator: GenesysEmulator, customer: bool = True) -> str:
    participants = [{"purpose": "ivr", "attributes": {"flow": "main"}}]
    if customer:
        participants.insert(
            0, {"id": CUSTOMER, "purpose": "customer", "attributes": {"tier": "gold", "x": ""}}
        )
    return emulator.create_conversation(participants)["id"]


def test_reads_a_participant_by_id_or_by_the_customer_alias(emulator: GenesysEmulator) -> None:
    conversation_id = conversation(emulator)
    gateway = gateway_for(emulator)

    by_id = gateway.participant_attributes(conversation_id, CUSTOMER.upper(), Deadline(5))
    by_alias = gateway.participant_attributes(conversation_id, "customer", Deadline(5))

    assert by_id == by_alias == ParticipantData(CUSTOMER, {"tier": "gold", "x": ""})
    assert emulator.count_requests("GET", "/api/v2/conversations") == 2
    assert emulator.count_requests("POST", "/oauth/token") == 1  # the token is kept


def test_the_alias_reads_the_customer_still_on_the_call_as_an_update_would_write_it(
    emulator: GenesysEmulator,
) -> None:
    conversation_id = emulator.create_conversation(
        [
            {"purpose": "customer", "attributes": {"leg": "first"}, "end_time": "2026-01-30T09:05:00Z"},
            {"id": CUSTOMER, "purpose": "customer", "attributes": {"leg": "second"}},
        ]
    )["id"]

    read = gateway_for(emulator).participant_attributes(conversation_id, "customer", Deadline(5))

    assert read == ParticipantData(CUSTOMER, {"leg": "second"})
    assert gateway_for(emulator).customer_participant_id(conversation_id, Deadline(5)) == CUSTOMER


def test_reads_another_participant(emulator: GenesysEmulator) -> None:
    conversation_id = conversation(emulator)
    ivr = emulator.get_conversation(conversation_id)["participants"][1]["id"]

    read = gateway_for(emulator).participant_attributes(conversation_id, ivr, Deadline(5))

    assert read == ParticipantData(ivr, {"flow": "main"})


@pytest.mark.parametrize(
    ("participant", "has_customer", "code"),
    [
        ("0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", True, "not_found"),
        ("customer", False, "customer_not_found"),
    ],
    ids=["participant not in the conversation", "no customer participant"],
)
def test_missing_participant_is_not_found(
    emulator: GenesysEmulator, participant: str, has_customer: bool, code: str
) -> None:
    conversation_id = conversation(emulator, customer=has_customer)

    with pytest.raises(NotFound) as raised:
        gateway_for(emulator).participant_attributes(conversation_id, participant, Deadline(5))

    assert raised.value.code == code


def test_unknown_conversation_is_not_found(emulator: GenesysEmulator) -> None:
    with pytest.raises(NotFound, match="no such conversation"):
        gateway_for(emulator).participant_attributes(
            "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", CUSTOMER, Deadline(5)
        )


def test_a_revoked_token_is_renewed_once_and_a_5xx_retried(emulator: GenesysEmulator) -> None:
    conversation_id = conversation(emulator)
    gateway = gateway_for(emulator)
    gateway.participant_attributes(conversation_id, CUSTOMER, Deadline(5))
    emulator.revoke_tokens()
    emulator.inject_fault(Fault(status=503, count=1, path_prefix="/api/v2/conversations"))

    read = gateway.participant_attributes(conversation_id, CUSTOMER, Deadline(5))

    assert read.attributes == {"tier": "gold", "x": ""}
    assert emulator.count_requests("POST", "/oauth/token") == 2


def test_rejected_static_credentials_are_refused_after_one_more_try(emulator: GenesysEmulator) -> None:
    with pytest.raises(UpstreamRejected) as raised:
        gateway_for(emulator, secret="wrong-secret").check_health(Deadline(5))

    assert raised.value.code == "genesys_credentials_rejected"
    assert emulator.count_requests("POST", "/oauth/token") == 2  # the first try, and the one after "refresh"


def test_the_health_check_reads_a_made_up_conversation_and_takes_404_as_healthy(
    emulator: GenesysEmulator,
) -> None:
    gateway_for(emulator).check_health(Deadline(5))

    assert [(r.method, r.path, r.status) for r in emulator.requests if r.path.startswith("/api/v2")] == [
        ("GET", f"/api/v2/conversations/{HEALTH_PROBE_CONVERSATION_ID}", 404)
    ]


def test_the_health_check_fails_when_the_role_may_not_read_conversations(emulator: GenesysEmulator) -> None:
    emulator.inject_fault(Fault(status=403, count=5, path_prefix="/api/v2/conversations"))

    with pytest.raises(UpstreamRejected) as raised:
        gateway_for(emulator).check_health(Deadline(5))

    assert raised.value.code == "genesys_forbidden"
    assert "conversation:communication:view" in raised.value.message
    assert emulator.count_requests("GET", "/api/v2/conversations") == 1  # a 403 is not retried
