"""The command line itself: commands, options in either position, KEY=VALUE pairs, usage errors, help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from operator_cli.parser import DEFAULT_TIMEOUT_SECONDS, UsageError, key_value, parse
from tests.cli.runner import SOURCE_PATH

CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"


def test_set_takes_ids_and_pairs_split_at_the_first_equals() -> None:
    options = parse(["set", CONVERSATION, "customer", "a=1", "b=", "url=x=y"])

    assert (options.command, options.conversation_id, options.participant_id) == (
        "set",
        CONVERSATION,
        "customer",
    )
    assert options.pairs == [("a", "1"), ("b", ""), ("url", "x=y")]
    assert (options.json, options.verbose, options.secret_id) == (False, False, None)
    assert options.timeout == DEFAULT_TIMEOUT_SECONDS


@pytest.mark.parametrize(
    "arguments",
    [
        ["--json", "--secret-id", "s", "--timeout", "3", "--verbose", "get", CONVERSATION, "customer"],
        ["get", CONVERSATION, "customer", "--json", "--secret-id", "s", "--timeout", "3", "--verbose"],
        ["--json", "--timeout", "3", "get", CONVERSATION, "customer", "--secret-id", "s", "--verbose"],
    ],
    ids=["before the command", "after the command", "mixed"],
)
def test_global_options_work_before_or_after_the_command(arguments: list[str]) -> None:
    options = parse(arguments)

    assert (options.json, options.secret_id, options.timeout, options.verbose) == (True, "s", 3.0, True)


def test_get_takes_repeated_keys() -> None:
    assert parse(["get", CONVERSATION, "customer", "--key", "a", "--key", "b"]).keys == ["a", "b"]
    assert parse(["get", CONVERSATION, "customer"]).keys is None


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["set", CONVERSATION, "customer", "ivr_choice"], "'ivr_choice' is not KEY=VALUE"),
        (["set", CONVERSATION, "customer"], "KEY=VALUE"),
        (["get", CONVERSATION], "PARTICIPANT_ID"),
        ([], "COMMAND"),
        (["delete"], "invalid choice: 'delete'"),
        (["--timeout", "0", "health"], "'0' must be more than 0"),
        (["--timeout", "soon", "health"], "'soon' is not a number of seconds"),
        (["health", "--client-secret", "x"], "unrecognized arguments: --client-secret"),
    ],
)
def test_usage_errors_name_the_problem(arguments: list[str], named: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse(arguments)

    assert named in raised.value.message
    assert raised.value.usage.startswith("usage: participant-data")


def test_key_value_keeps_everything_after_the_first_equals() -> None:
    assert key_value("k=") == ("k", "")
    assert key_value("=v") == ("", "v")  # validation refuses the blank key, as the service does
    assert key_value("k= spaced =") == ("k", " spaced =")


def test_help_teaches_credentials_exit_codes_and_examples_without_loading_the_service() -> None:
    probe = (
        "import contextlib, io, sys\n"
        "from operator_cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "heavy = ('PureCloudPlatformClientV2', 'boto3', 'aws_lambda_powertools')\n"
        "print([name for name in heavy if name in sys.modules])\n"
        "print(out.getvalue())\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SOURCE_PATH},
        check=True,
    )
    heavy, _, text = completed.stdout.partition("\n")

    assert heavy == "[]"
    for taught in (
        "GENESYS_CLIENT_SECRET",
        "--secret-id",
        "exit codes:",
        "  6  configuration",
        "make serve",
        "examples:",
    ):
        assert taught in text
