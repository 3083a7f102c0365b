"""`participant-data`: parse, validate, run one command, and turn its outcome into output and an exit code.

Heavy imports (the Genesys SDK, boto3, Powertools) happen only after the command line is understood and
the service's logging and metrics are pointed away from stdout (runtime.prepare).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Mapping, Sequence

from operator_cli import runtime
from operator_cli.credentials import choose_credentials
from operator_cli.exit_codes import ExitCode, exit_code_for
from operator_cli.output import Printer
from operator_cli.parser import OUTBOX_COMMANDS, UsageError, parse
from participant_data.errors import ServiceError  # light: the heavy modules load in _dispatch


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    printer = Printer(as_json="--json" in arguments)  # known before parsing, for usage errors
    try:
        options = parse(arguments)
        printer = Printer(as_json=options.json)
        return _run(options, environ, printer)
    except UsageError as error:
        printer.note(error.usage)
        printer.error({"code": "usage", "message": error.message})
        return ExitCode.USAGE
    except KeyboardInterrupt:
        printer.error({"code": "interrupted", "message": "Interrupted."})
        return ExitCode.INTERRUPTED


def _run(options: argparse.Namespace, environ: Mapping[str, str], printer: Printer) -> int:
    try:
        _dispatch(options, environ, printer)
    except ServiceError as error:
        printer.error(error.to_body(), error.status)
        return exit_code_for(error)
    except UsageError:
        raise
    except Exception as error:  # a bug: say so, without internals unless asked
        if options.verbose:
            traceback.print_exc(file=sys.stderr)
        message = f"Unexpected {type(error).__name__}; run again with --verbose for the traceback."
        printer.error({"code": "internal_error", "message": message})
        return ExitCode.UNEXPECTED
    return ExitCode.OK


def _dispatch(options: argparse.Namespace, environ: Mapping[str, str], printer: Printer) -> None:
    runtime.prepare(options.verbose)
    # Imported once the runtime is prepared (they load Powertools, the SDK and boto3): --help and usage
    # errors stay instant.
    if options.command in OUTBOX_COMMANDS:  # AWS only: no Genesys credentials needed
        from operator_cli.outbox_commands import run_outbox_command

        run_outbox_command(options, environ, printer)
        return
    from operator_cli.commands import command_for
    from operator_cli.session import open_session, read_settings

    settings = read_settings(environ)
    # The input first: what the service would refuse is refused before credentials are looked at.
    command = command_for(options, settings)
    session = open_session(settings, choose_credentials(options.secret_id, environ), options.timeout)
    command(session, printer)
