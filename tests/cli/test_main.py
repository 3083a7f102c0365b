"""The command in-process with a fake Genesys: validation first, then the use case, output and exit code."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import cast

import pytest

from operator_cli import session as session_module
from operator_cli.credentials import CredentialsChoice
from operator_cli.main import main
from operator_cli.runtime import QUIET_ENVIRONMENT
from operator_cli.session import Session
from participant_data.deadline import Deadline
from participant_data.errors import (
    ConfigurationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from participant_data.genesys.gateway import GenesysGateway, ParticipantData
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.observability import logger
from participant_data.settings import Settings
from participant_data.validation import update_from_http
from tests.unit.fakes import FakeGenesys

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
CUSTOMER = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
ENVIRONMENT = {"GENESYS_SECRET_ID": "genesys/test"}


class FakeGateway(FakeGenesys):
    def __init__(self) -> None:
        super().__init__({CONVERSATION: CUSTOMER})
        self.attributes = {"b": "2", "a": "1"}
        self.reads: list[tuple[str, str]] = []

    def participant_attributes(
        self, conversation_id: str, participant_id: str, deadline: Deadline
    ) -> ParticipantData:
        self.reads.append((conversation_id, participant_id))
        if self.error:
            raise self.error
        return ParticipantData(CUSTOMER, dict(self.attributes))


@pytest.fixture
def genesys(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[FakeGateway]:
    """The fake behind every session the command opens; the runtime settings the command changes in this
    process (environment, the service's logger) are put back afterwards, while capsys's streams are open."""
    fake = FakeGateway()
    opened: list[CredentialsChoice] = []

    def open_session(settings: Settings, choice: CredentialsChoice, timeout_seconds: float) -> Session:
        opened.append(choice)
        gateway = cast(GenesysGateway, fake)
        return Session(
            settings, gateway, CustomerParticipantCache(1), Deadline(timeout_seconds), choice.origin
        )

    monkeypatch.setattr(session_module, "open_session", open_session)
    for name in QUIET_ENVIRONMENT:
        monkeypatch.setenv(name, QUIET_ENVIRONMENT[name])
    level, stream = logger.log_level, logger.registered_handler.stream  # type: ignore[attr-defined]
    yield fake
    logger.setLevel(level)
    # Not setStream: it would flush the stream it replaces, capsys's, which pytest may have closed by now.
    logger.registered_handler.stream = stream  # type: ignore[attr-defined]


def run(
    capsys: pytest.CaptureFixture[str], *arguments: str, environ: Mapping[str, str] = ENVIRONMENT
) -> tuple[int, str, str]:
    code = main(list(arguments), environ)
    out, err = capsys.readouterr()
    return code, out, err


def test_set_validates_then_patches_the_resolved_customer(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--json", "set", CONVERSATION.upper(), "Customer", "a=1", "n=5")

    assert code == 0
    assert genesys.patches == [(CONVERSATION, CUSTOMER, {"a": "1", "n": "5"})]
    assert json.loads(out) == {
        "conversationId": CONVERSATION,
        "participantId": CUSTOMER,
        "updatedKeys": ["a", "n"],
        "updatedCount": 2,
        "queued": False,
    }
    assert err == ""


@pytest.mark.parametrize(
    "attributes",
    [
        {"bad\u200bkey": "1"},
        {"k" * 129: "1"},
        {"v": "x" * 2049},
        {f"k{n}": "1" for n in range(51)},
        {" ": "1"},
    ],
    ids=["format character", "long key", "long value", "51 keys", "blank key"],
)
def test_refuses_what_the_api_refuses_with_the_same_message(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str], attributes: dict[str, str]
) -> None:
    body = json.dumps({"attributes": attributes}).encode()
    with pytest.raises(InvalidRequest) as service:
        update_from_http(CONVERSATION, "customer", body, Settings("s").limits)

    code, out, _ = run(
        capsys, "--json", "set", CONVERSATION, "customer", *(f"{k}={v}" for k, v in attributes.items())
    )

    assert code == 2
    assert json.loads(out) == {"code": "invalid_request", "message": str(service.value), "status": 400}
    assert genesys.patches == []
    assert genesys.lookups == []


def test_repeated_key_is_refused_as_the_api_refuses_a_repeated_key(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "set", CONVERSATION, "customer", "a=1", "a=2")

    assert code == 2
    assert 'The key "a" is given twice. [usage]' in err
    assert genesys.patches == []


def test_invalid_ids_are_refused_before_credentials_are_looked_at(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "get", "not-a-uuid", "customer", environ={})

    assert code == 2
    assert "conversationId must be a Genesys conversation UUID" in err
    assert genesys.reads == []


def test_get_shows_sorted_attributes_and_missing_keys(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "get", CONVERSATION, "customer", "--key", "b", "--key", "zz")

    assert code == 0
    assert genesys.reads == [(CONVERSATION, "customer")]
    assert out.splitlines() == [
        f"Participant {CUSTOMER} (customer) of conversation {CONVERSATION}:",
        '  b = "2"',
        "  zz (not set)",
    ]


@pytest.mark.parametrize(
    ("error", "exit_code", "body"),
    [
        (NotFound("gone"), 3, {"code": "not_found", "message": "gone", "status": 404}),
        (
            UpstreamRejected("no", code="genesys_forbidden"),
            4,
            {"code": "genesys_forbidden", "message": "no", "status": 502},
        ),
        (
            RateLimited("slow down", retry_after=7),
            5,
            {"code": "genesys_rate_limited", "message": "slow down", "retryAfterSeconds": 7, "status": 429},
        ),
        (UpstreamUnavailable("down"), 5, {"code": "upstream_unavailable", "message": "down", "status": 503}),
        (
            ConfigurationError("bad secret"),
            6,
            {"code": "service_misconfigured", "message": "bad secret", "status": 500},
        ),
    ],
)
def test_service_errors_become_exit_codes_and_json(
    genesys: FakeGateway,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    exit_code: int,
    body: dict[str, object],
) -> None:
    genesys.error = error

    results = [run(capsys, "--json", *command) for command in (["get", CONVERSATION, CUSTOMER], ["health"])]

    assert [(code, json.loads(out)) for code, out, _ in results] == [(exit_code, body)] * 2


def test_human_errors_go_to_stderr(genesys: FakeGateway, capsys: pytest.CaptureFixture[str]) -> None:
    genesys.error = NotFound("gone")

    code, out, err = run(capsys, "health")

    assert (code, out) == (3, "")
    assert err == "participant-data: error: gone [not_found]\n"


def test_unexpected_errors_exit_1_without_their_text(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    genesys.error = RuntimeError("internal detail")

    code, out, err = run(capsys, "--json", "health")

    assert code == 1
    assert json.loads(out)["code"] == "internal_error"
    assert "internal detail" not in out + err


def test_health_says_where_the_credentials_came_from(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "health")

    assert code == 0
    assert genesys.health_checks == 1
    assert "credentials from secret genesys/test" in out


def test_quiet_by_default_verbose_logs_on_stderr(
    genesys: FakeGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    _, quiet_out, quiet_err = run(capsys, "set", CONVERSATION, CUSTOMER, "a=1")
    _, verbose_out, verbose_err = run(capsys, "--verbose", "set", CONVERSATION, CUSTOMER, "a=1")

    assert quiet_err == ""
    assert quiet_out == verbose_out
    assert '"message":"Participant attributes set"' in verbose_err
    assert logging.getLevelName(logger.log_level) == "DEBUG"
