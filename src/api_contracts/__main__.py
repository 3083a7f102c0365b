"""`python -m api_contracts write [options]` writes the contracts; `check` exits 1 listing drifted ones;
`integrations [options]` prints what to enter in the Genesys Cloud integrations (their credentials)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api_contracts.data_actions import (
    API_URL_PLACEHOLDER,
    DEFAULT_ATTRIBUTES,
    FUNCTION_ARN_PLACEHOLDER,
    ActionOptions,
)
from api_contracts.files import REPO_ROOT, drifted, generated_files, write
from api_contracts.integrations import IntegrationOptions, setup_text


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "check":
        stale = drifted(generated_files(), REPO_ROOT)
        for path in stale:
            print(f"drifted: {path} (run `make contracts`)")
        return 1 if stale else 0
    if arguments.command == "integrations":
        return _print_integrations(arguments)
    try:
        options = ActionOptions(
            attributes=tuple(arguments.attributes),
            api_url=arguments.api_url,
            function_arn=arguments.function_arn,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in write(generated_files(options), arguments.out):
        print(f"wrote {path}")
    return 0


def _print_integrations(arguments: argparse.Namespace) -> int:
    try:
        options = IntegrationOptions(role_arn=arguments.role_arn, function_arn=arguments.function_arn)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(setup_text(options))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api_contracts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="exit 1 if a committed contract differs from the generated one")
    writer = commands.add_parser("write", help="write contracts/openapi.json and contracts/data-actions/")
    writer.add_argument(
        "--attributes",
        nargs="+",
        default=list(DEFAULT_ATTRIBUTES),
        metavar="NAME",
        help=f"attribute inputs of the data actions (default: {' '.join(DEFAULT_ATTRIBUTES)})",
    )
    writer.add_argument(
        "--api-url",
        default=API_URL_PLACEHOLDER,
        help="the stack output ParticipantDataApiUrl (or the stage URL); default: a placeholder",
    )
    writer.add_argument(
        "--function-arn",
        default=FUNCTION_ARN_PLACEHOLDER,
        help="the stack output ParticipantDataFunctionArn; default: a placeholder",
    )
    writer.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT,
        help="folder to write contracts/ under (default: the repository; use another for deployed values)",
    )
    integrations = commands.add_parser("integrations", help="print the Genesys integrations' credentials")
    integrations.add_argument("--role-arn", help="the stack output GenesysInvocationRoleArn")
    integrations.add_argument(
        "--function-arn",
        default=FUNCTION_ARN_PLACEHOLDER,
        help="the stack output ParticipantDataFunctionArn (checked to be in the role's account)",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
