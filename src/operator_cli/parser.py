"""The command line: commands, options and the help that teaches them. Standard library only, so that
`--help` and usage errors answer at once, without loading the Genesys SDK or AWS libraries."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from operator_cli.exit_codes import EXIT_CODE_HELP
from operator_cli.output import PROGRAM

DEFAULT_TIMEOUT_SECONDS = 10.0
SAMPLE_CONVERSATION = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"  # the sample conversation of make serve

DESCRIPTION = """\
Set and read custom participant data on a live Genesys Cloud conversation, or check the
credentials, through the participant-data service's own code: the same validation (what the
service refuses is refused here, before any call to Genesys), the same Genesys client, time
budget, retries and errors. `set` writes now, never through the outbox. `pending` and `backlog`
show what the outbox holds. Values are never logged; the client secret is never printed."""

CREDENTIALS_HELP = """\
credentials (the first that applies):
  --secret-id NAME_OR_ARN     the service's secret in AWS Secrets Manager, a JSON object
                              {"client_id", "client_secret", "environment"}, read with your AWS
                              credentials and region (AWS_PROFILE, AWS_REGION, ...); boto3 honours
                              AWS_ENDPOINT_URL_SECRETS_MANAGER (e.g. a local moto_server)
  GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET, GENESYS_ENVIRONMENT
                              an OAuth client (client-credentials grant) from the environment;
                              GENESYS_ENVIRONMENT is a region domain such as usw2.pure.cloud, or
                              http://127.0.0.1:PORT for the local Genesys Cloud emulator
  GENESYS_SECRET_ID           as --secret-id
  The client secret is never accepted on the command line, where other users could see it (ps).
  Limits and the key allow-list are read from the same variables as the function's (MAX_ATTRIBUTES,
  MAX_KEY_LENGTH, MAX_VALUE_LENGTH, MAX_BODY_BYTES, ALLOWED_ATTRIBUTE_KEYS, ALLOWED_ATTRIBUTE_PREFIXES):
  set them as the deployment does.
"""

EXAMPLES_HELP = f"""\
examples:
  read -rs GENESYS_CLIENT_SECRET && export GENESYS_CLIENT_SECRET   # typed, not in shell history
  export GENESYS_CLIENT_ID=... GENESYS_ENVIRONMENT=usw2.pure.cloud
  {PROGRAM} set CONVERSATION_ID customer ivr_choice=billing customer_tier=gold
  {PROGRAM} get CONVERSATION_ID customer --key ivr_choice
  {PROGRAM} --secret-id genesys/participant-data health
  OUTBOX_TABLE_NAME=... {PROGRAM} pending CONVERSATION_ID customer     # AWS credentials only
  OUTBOX_QUEUE_URL=... {PROGRAM} backlog

  against the local emulator (`make serve` prints its URL and the sample conversation):
  export GENESYS_ENVIRONMENT=http://127.0.0.1:PORT GENESYS_CLIENT_ID=local-client \\
         GENESYS_CLIENT_SECRET=local-secret-not-for-production
  {PROGRAM} set {SAMPLE_CONVERSATION} customer ivr_choice=billing
  {PROGRAM} --json get {SAMPLE_CONVERSATION} customer
"""

SET_HELP = """\
Merge KEY=VALUE pairs into the participant's data with one PATCH: only these keys change,
keys set by others (the flow, other writers) are kept. Every value is a string; KEY= sets the
empty string, the usual way to clear a key. A key cannot contain '='; the first '=' splits.
Genesys applies the update asynchronously: a `get` right after may not show it yet."""

GET_HELP = """\
Show the participant's data (GET /api/v2/conversations/{id}; the OAuth client's role needs
conversation:communication:view). With --key, only those keys; a key that is not set is
listed as such and does not change the exit code."""

HEALTH_HELP = """\
What the service's scheduled health check does: read the credentials, obtain a token and read a
made-up conversation (GET /api/v2/conversations/{id}): 404 proves the token and the role's
conversation:communication:view, 403 means the role lacks it. Exit 0 when all three work."""

PENDING_HELP = """\
Whether the participant has writes waiting in the outbox (writes Genesys could not take in time,
applied later by the outbox worker, in order): its pending mark in the outbox's DynamoDB table
(OUTBOX_TABLE_NAME, or --table), which the service reads before every write. Writes are kept per
participant as the caller named it: for a UUID the conversation's `customer` mark is shown too,
since the alias is resolved only when its writes are applied. SQS cannot list one participant's
queued messages without taking them from the worker, so they are not shown. Reads AWS only (your
AWS credentials and region), never Genesys; changes nothing."""

BACKLOG_HELP = """\
How many writes the outbox queue (OUTBOX_QUEUE_URL, or --queue-url) holds, as SQS approximates
them: waiting, being applied by the worker (in flight), and in its dead-letter queue, whose writes
are not applied without an operator. Reads AWS only; receives nothing, changes nothing."""

PARTICIPANT_HELP = "a participant UUID, or 'customer': the customer participant still on the call"
# The commands that read the outbox in AWS and need no Genesys credentials.
OUTBOX_COMMANDS = frozenset({"pending", "backlog"})


class UsageError(Exception):
    """The command line is wrong (exit code 2); `usage` is the line that shows how it should look."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())


def key_value(text: str) -> tuple[str, str]:
    """KEY=VALUE split at the first '='; what the service accepts as a key or value is validation's call."""
    key, separator, value = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE (use KEY= for an empty value)")
    return key, value


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= 300:  # a sane bound for a command someone waits on
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 300 seconds")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROGRAM,
        description=DESCRIPTION,
        epilog=CREDENTIALS_HELP + "\n" + EXIT_CODE_HELP + "\n" + EXAMPLES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    set_command = _command(commands, "set", "set attributes on a participant", SET_HELP)
    _add_ids(set_command)
    set_command.add_argument(
        "pairs", nargs="+", type=key_value, metavar="KEY=VALUE", help="an attribute to set (one or more)"
    )

    get_command = _command(commands, "get", "show a participant's attributes", GET_HELP)
    _add_ids(get_command)
    get_command.add_argument(
        "--key", dest="keys", action="append", metavar="KEY", help="show only this key (repeatable)"
    )

    _command(commands, "health", "check the credentials and that Genesys Cloud answers", HEALTH_HELP)

    pending = _command(
        commands, "pending", "show whether a participant has writes in the outbox", PENDING_HELP
    )
    _add_ids(pending)
    pending.add_argument(
        "--table", metavar="TABLE_NAME", help="the pending-mark table (default: OUTBOX_TABLE_NAME)"
    )

    backlog = _command(commands, "backlog", "count the writes waiting in the outbox queue", BACKLOG_HELP)
    backlog.add_argument("--queue-url", metavar="URL", help="the outbox queue (default: OUTBOX_QUEUE_URL)")
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _command(commands: Any, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=CREDENTIALS_HELP + "\n" + EXIT_CODE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(command, defaults=False)
    return command


def _add_ids(command: argparse.ArgumentParser) -> None:
    command.add_argument("conversation_id", metavar="CONVERSATION_ID", help="the conversation UUID")
    command.add_argument("participant_id", metavar="PARTICIPANT_ID", help=PARTICIPANT_HELP)


def _add_global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options every command takes, before or after the command's name. On the commands they have no
    default, so that one given before the command name is not overwritten by the command's default."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    options = parser.add_argument_group("global options")
    options.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help='print one JSON document on stdout (errors: {"code", "message", "status"})',
    )
    options.add_argument(
        "--secret-id",
        default=default(None),
        metavar="NAME_OR_ARN",
        help="read the credentials from this Secrets Manager secret (default: GENESYS_SECRET_ID)",
    )
    options.add_argument(
        "--timeout",
        type=positive_seconds,
        default=default(DEFAULT_TIMEOUT_SECONDS),
        metavar="SECONDS",
        help=f"the whole command's time budget, retries included (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    options.add_argument(
        "--verbose",
        action="store_true",
        default=default(False),
        help="log what the service does (JSON lines) on stderr",
    )
