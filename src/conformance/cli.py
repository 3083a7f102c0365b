"""``python -m conformance``: run the suite against the emulator or a real org, or mark the facts.

Exit status: 0 every behaviour checked matches (and, on an org, the emulator answered the same and the
cleanup left nothing but empty strings); 1 otherwise; 2 a usage error or a refusal (nothing was sent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from conformance.checks import SUITE
from conformance.compare import compare
from conformance.facts import MarkRefused, mark_facts_file
from conformance.http import HttpClient
from conformance.plan import PathIds
from conformance.report import document, summary_line, write_report
from conformance.runner import CLEANUP_PLAN, CheckResult, run_suite
from conformance.session import KEY_PREFIX
from conformance.targets import (
    CLIENT_ID_VARIABLE,
    CLIENT_SECRET_VARIABLE,
    Target,
    TargetError,
    emulator_target,
)
from conformance.targets import org_target as make_org_target

DEFAULT_OUT = Path("build/conformance")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

DESCRIPTION = f"""\
Check the Genesys Cloud behaviours this service relies on, against the emulator (make conformance) or a
real org. Against an org it writes only keys prefixed {KEY_PREFIX} to the participant of a test call you
placed, sets them to "" afterwards, never provokes a 429 and honours Retry-After. docs/conformance.md."""

ORG_EPILOG = f"""\
credentials: {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE} in the environment (an OAuth client with the
client-credentials grant, and a role with conversation:communication:view); never on the command line.

example:
  read -rs {CLIENT_SECRET_VARIABLE} && export {CLIENT_SECRET_VARIABLE} {CLIENT_ID_VARIABLE}=...
  python -m conformance run --target org --environment usw2.pure.cloud \\
      --conversation-id CONVERSATION --participant-id PARTICIPANT --dry-run
  python -m conformance run --target org --environment usw2.pure.cloud \\
      --conversation-id CONVERSATION --participant-id PARTICIPANT --write --out docs/conformance
  python -m conformance mark-facts docs/conformance/org-api.usw2.pure.cloud-<time>.json"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the suite",
        epilog=ORG_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--target", choices=("emulator", "org"), required=True)
    run.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"where the reports go (default {DEFAULT_OUT})"
    )
    org = run.add_argument_group("a real org (--target org)")
    org.add_argument("--environment", help="the org's region domain, such as usw2.pure.cloud")
    org.add_argument("--api-base-url", help="instead of --environment: https://api.HOST")
    org.add_argument("--login-base-url", help="instead of --environment: https://login.HOST")
    org.add_argument("--ca-bundle", type=Path, help="trust only this CA bundle (PEM) instead of the system's")
    org.add_argument("--conversation-id", help="the conversation of a test call you placed")
    org.add_argument("--participant-id", help="its participant to write to (the customer's, usually)")
    org.add_argument(
        "--write", action="store_true", help=f"allow writing {KEY_PREFIX}* keys to that participant"
    )
    org.add_argument(
        "--dry-run", action="store_true", help="print every request the run would make; make none"
    )
    org.add_argument("--min-interval", type=float, help="seconds between requests (default 0.5)")
    mark = commands.add_parser("mark-facts", help="mark docs/genesys-facts.md from a real org's report")
    mark.add_argument("report", type=Path)
    mark.add_argument("--facts", type=Path, default=Path("docs/genesys-facts.md"))
    return parser


ORG_OPTIONS = (
    "environment",
    "api_base_url",
    "login_base_url",
    "ca_bundle",
    "conversation_id",
    "participant_id",
    "min_interval",
)


def main(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None, out: TextIO | None = None
) -> int:
    options = _parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    if options.command == "mark-facts":
        return _mark_facts(options.report, options.facts, out)
    if options.target == "emulator":
        given = [
            f"--{name.replace('_', '-')}"
            for name in (*ORG_OPTIONS, "write", "dry_run")
            if getattr(options, name)
        ]
        if given:
            print(f"{', '.join(given)}: for --target org only", file=out)
            return EXIT_USAGE
        return _run_emulator(options.out, out)
    try:
        target = make_org_target(
            **{name: getattr(options, name) for name in ORG_OPTIONS},
            environ=environ,
            require_credentials=not options.dry_run,
        )
    except TargetError as error:
        print(f"conformance: {error}", file=out)
        return EXIT_USAGE
    if options.dry_run:
        return _dry_run(target, out)
    if not options.write:
        print(
            f"conformance: refusing to run without --write: the suite writes keys prefixed {KEY_PREFIX} to "
            f"participant {target.participant_id} of conversation {target.conversation_id} and sets them "
            'to "" afterwards. Add --dry-run to see every request first.',
            file=out,
        )
        return EXIT_USAGE
    return _run_org(target, options.out, out)


def _run_emulator(out_dir: Path, out: TextIO) -> int:
    with emulator_target() as target:
        result = run_suite(target, HttpClient(), progress=lambda r: _progress(r, out))
    report = document(result)
    return _finish(report, out_dir, out)


def _run_org(target: Target, out_dir: Path, out: TextIO) -> int:
    print(
        f"against {target.api_base_url}, at most one request every {target.pacing.min_interval:g} s", file=out
    )
    result = run_suite(target, HttpClient(target.ca_bundle), progress=lambda r: _progress(r, out))
    report = document(result)
    print("the same checks against the emulator, for the comparison:", file=out)
    with emulator_target() as emulated:
        emulator_report = document(run_suite(emulated, HttpClient()))
    report["comparison"] = compare(report, emulator_report)
    for difference in report["comparison"]["differences"]:
        print(
            f"  {difference['verdict']}: {difference['check']} {difference['finding']}: this org "
            f"{json.dumps(difference['org'])}, the emulator {json.dumps(difference['emulator'])}",
            file=out,
        )
    print(f"  {len(report['comparison']['differences'])} differences", file=out)
    return _finish(report, out_dir, out)


def _finish(report: dict[str, Any], out_dir: Path, out: TextIO) -> int:
    cleanup = report["cleanup"]
    if cleanup["keys_written"]:
        state = "left only empty strings" if cleanup["clean"] else "DID NOT FINISH: see the report"
        print(f"cleanup of {len(cleanup['keys_written'])} keys {state}", file=out)
    json_path, markdown_path = write_report(report, out_dir)
    print(f"report: {json_path} and {markdown_path}", file=out)
    print(summary_line(report), file=out)
    counts = report["summary"]
    differences = (report["comparison"] or {}).get("differences", [])
    passed = counts["matched"] == counts["checked"] and cleanup["clean"] and not differences
    return EXIT_OK if passed else EXIT_FAILED


def _progress(result: CheckResult, out: TextIO) -> None:
    print(
        f"  {result.kind:>11}  {result.check.id}" + (f": {result.reason}" if result.reason else ""), file=out
    )


def _dry_run(target: Target, out: TextIO) -> int:
    """Print every request a run would make. No request is made: not even the token."""
    ids = PathIds.for_target(target)
    credentials = "set" if target.credentials else "NOT SET (required for the run)"
    print(
        f"dry run against {target.api_base_url} (login {target.login_base_url}): no request is made.\n"
        f"{CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}: {credentials}. "
        "Made-up IDs are new for each run.",
        file=out,
    )
    planned = 0
    for check in SUITE:
        print(f"{check.id}: {check.behaviour}", file=out)
        plan = check.plan_for(target)
        if not plan:
            print(
                "  no request: never provoked on a real org; recorded if another request is answered 429",
                file=out,
            )
        for request in plan:
            print(f"  {request.describe(target, ids)}", file=out)
            planned += request.times
    print(f'cleanup: every {KEY_PREFIX} key written is set to "" and read back', file=out)
    for request in CLEANUP_PLAN:
        print(f"  {request.describe(target, ids)}", file=out)
        planned += request.times
    print(
        "then the same checks against an emulator this process starts on loopback, for the comparison.\n"
        f"dry run: at most {planned} requests to the org, at least {target.pacing.min_interval:g} s apart; "
        "none made",
        file=out,
    )
    return EXIT_OK


def _mark_facts(report_path: Path, facts_path: Path, out: TextIO) -> int:
    try:
        report = json.loads(report_path.read_text())
        anchors = mark_facts_file(report, report_path, facts_path)
    except (OSError, ValueError, MarkRefused) as error:  # unreadable, or refused: nothing was written
        print(f"conformance: {error}", file=out)
        return EXIT_USAGE
    print(f"marked {len(anchors)} facts in {facts_path}: {', '.join(anchors)}", file=out)
    return EXIT_OK
