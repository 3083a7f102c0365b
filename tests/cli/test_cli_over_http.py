"""The installed command against the Genesys Cloud emulator and moto_server, over real loopback HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from genesys_emulator import Fault
from localdev.stack import CLIENT_SECRET, LocalStack
from participant_data.genesys.gateway import HEALTH_PROBE_CONVERSATION_ID
from tests.cli.runner import Cli, base_environment

pytestmark = pytest.mark.integration


def test_set_then_get_through_the_secret_keeps_the_keys_others_set(cli: Cli, stack: LocalStack) -> None:
    conversation = stack.conversation_id

    first = cli.run("set", conversation, "customer", "ivr_choice=billing", "customer_tier=gold")
    second = cli.run("set", conversation, "customer", "priority_level=")  # another writer, later
    shown = cli.run("get", conversation, "customer")

    assert (first.exit_code, second.exit_code, shown.exit_code) == (0, 0, 0)
    assert f"Set 2 attributes on participant {stack.customer_id} (customer)" in first.stdout
    assert stack.customer_attributes() == {
        "language": "en-US",  # seeded: set by someone else before
        "ivr_choice": "billing",
        "customer_tier": "gold",
        "priority_level": "",
    }
    assert shown.stdout.splitlines()[1:] == [
        '  customer_tier = "gold"',
        '  ivr_choice = "billing"',
        '  language = "en-US"',
        '  priority_level = ""',
    ]


def test_json_output_with_credentials_from_the_environment(cli: Cli, stack: LocalStack) -> None:
    conversation, customer = stack.conversation_id, stack.customer_id

    done = cli.run("--json", "set", conversation, customer.upper(), "note=café ☕", credentials="environment")
    read = cli.run(
        "get", conversation, customer, "--key", "note", "--key", "absent", "--json", credentials="environment"
    )
    healthy = cli.run("health", "--json", credentials="environment")

    assert done.exit_code == 0
    assert done.json() == {
        "conversationId": conversation,
        "participantId": customer,
        "updatedKeys": ["note"],
        "updatedCount": 1,
        "queued": False,
    }
    assert read.json() == {
        "conversationId": conversation,
        "participantId": customer,
        "attributes": {"note": "café ☕"},
        "missingKeys": ["absent"],
    }
    assert healthy.json() == {"healthy": True, "credentials": "environment variables"}
    assert stack.genesys.count_requests("GET", f"/api/v2/conversations/{HEALTH_PROBE_CONVERSATION_ID}") == 1


def test_health_through_the_secret(cli: Cli, stack: LocalStack) -> None:
    run = cli.run("health")

    assert run.exit_code == 0
    assert f"credentials from secret {stack.secret_name}" in run.stdout


def test_unknown_conversation_exits_3(cli: Cli, stack: LocalStack) -> None:
    run = cli.run("--json", "get", str(uuid.uuid4()), "customer")

    assert run.exit_code == 3
    assert run.json()["code"] == "not_found"
    assert run.json()["status"] == 404
    assert "no such conversation" in run.json()["message"]


def test_participant_not_in_the_conversation_exits_3_with_a_clear_message(
    cli: Cli, stack: LocalStack
) -> None:
    run = cli.run("get", stack.conversation_id, str(uuid.uuid4()))

    assert run.exit_code == 3
    assert run.stdout == ""
    assert "The conversation has no participant with this participantId. [not_found]" in run.stderr


def test_conversation_without_a_customer_exits_3(cli: Cli, stack: LocalStack) -> None:
    conversation = stack.genesys.create_conversation([{"purpose": "ivr"}])["id"]

    run = cli.run("set", conversation, "customer", "a=1")

    assert run.exit_code == 3
    assert "[customer_not_found]" in run.stderr
    assert stack.genesys.count_requests("PATCH") == 0


def test_wrong_client_secret_exits_4(cli: Cli, stack: LocalStack) -> None:
    wrong = "not-the-secret-" + uuid.uuid4().hex
    run = cli.run(
        "--json", "health", credentials="environment", extra_environment={"GENESYS_CLIENT_SECRET": wrong}
    )

    assert run.exit_code == 4
    assert run.json()["code"] == "genesys_credentials_rejected"
    assert wrong not in run.stdout + run.stderr


def test_rate_limited_exits_5_with_the_wait(cli: Cli, stack: LocalStack) -> None:
    stack.genesys.inject_fault(Fault(status=429, retry_after=30, path_prefix="/api/v2"))

    run = cli.run("--json", "set", stack.conversation_id, "customer", "a=1")

    assert run.exit_code == 5
    assert run.json() == {
        "code": "genesys_rate_limited",
        "message": run.json()["message"],
        "retryAfterSeconds": 30,
        "status": 429,
    }


def test_timeout_bounds_the_whole_command_and_exits_5(cli: Cli, stack: LocalStack) -> None:
    stack.genesys.inject_fault(Fault(hang_seconds=10, path_prefix="/api/v2", count=5))

    started = time.monotonic()
    run = cli.run("get", stack.conversation_id, "customer", "--timeout", "1.5", credentials="environment")

    assert run.exit_code == 5
    assert "[upstream_timeout]" in run.stderr
    assert time.monotonic() - started < 6  # 1.5 s of budget plus the interpreter's start


def test_missing_secret_exits_6(cli: Cli, stack: LocalStack) -> None:
    run = cli.run("--secret-id", "genesys/does-not-exist", "health")

    assert run.exit_code == 6
    assert "The secret genesys/does-not-exist does not exist." in run.stderr


def test_no_credentials_exits_6_and_says_where_they_come_from(cli: Cli) -> None:
    run = cli.run("--json", "health", credentials=None)

    assert run.exit_code == 6
    assert "GENESYS_CLIENT_ID" in run.json()["message"]
    assert "--secret-id" in run.json()["message"]


@pytest.mark.parametrize(
    "pairs",
    [
        ["bad\x01key=1"],
        ["=value"],
        ["k" * 129 + "=1"],
        ["long=" + "v" * 2049],
        ["bell=\x07"],
        [f"key{number}=1" for number in range(51)],
    ],
    ids=[
        "control character in key",
        "blank key",
        "key too long",
        "value too long",
        "control in value",
        "51 keys",
    ],
)
def test_input_the_service_refuses_exits_2_before_any_request(
    cli: Cli, stack: LocalStack, pairs: list[str]
) -> None:
    run = cli.run("--json", "set", stack.conversation_id, "customer", *pairs)

    assert run.exit_code == 2
    assert run.json()["code"] == "invalid_request"
    assert stack.genesys.requests == []


def test_allow_list_from_the_environment_is_applied(cli: Cli, stack: LocalStack) -> None:
    run = cli.run(
        "set", stack.conversation_id, "customer", "ivr_choice=1", "other=2",
        extra_environment={"ALLOWED_ATTRIBUTE_PREFIXES": "ivr_"},
    )  # fmt: skip

    assert run.exit_code == 2
    assert 'The key "other" is not allowed here' in run.stderr
    assert stack.genesys.requests == []


def test_pair_without_equals_is_a_usage_error_naming_it(cli: Cli, stack: LocalStack) -> None:
    run = cli.run("set", stack.conversation_id, "customer", "ivr_choice")

    assert run.exit_code == 2
    assert "'ivr_choice' is not KEY=VALUE" in run.stderr
    assert "usage: participant-data set" in run.stderr
    assert stack.genesys.requests == []


def test_verbose_logs_go_to_stderr_and_never_carry_credentials_or_values(cli: Cli, stack: LocalStack) -> None:
    run = cli.run(
        "--verbose", "--json", "set", stack.conversation_id, "customer", "ivr_choice=secret-ish-value"
    )

    assert run.exit_code == 0
    assert run.json()["updatedKeys"] == ["ivr_choice"]  # stdout is only the result
    assert '"message":"Participant attributes set"' in run.stderr
    assert "secret-ish-value" not in run.stderr
    assert CLIENT_SECRET not in run.stdout + run.stderr


def test_installed_command_works_from_any_directory(tmp_path: Path) -> None:
    command = shutil.which("participant-data", path=str(Path(sys.executable).parent))
    assert command, "participant-data is not installed in this virtualenv: run `make venv`"
    environment = {key: value for key, value in base_environment(tmp_path).items() if key != "PYTHONPATH"}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, *arguments], capture_output=True, text=True, env=environment, cwd=tmp_path, check=False
        )

    helped, unconfigured = run("get", "--help"), run("health")

    assert helped.returncode == 0
    assert "exit codes:" in helped.stdout
    assert "GENESYS_CLIENT_SECRET" in helped.stdout
    assert unconfigured.returncode == 6  # the service's modules load from the installed package
    assert "No Genesys credentials" in unconfigured.stderr
