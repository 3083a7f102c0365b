"""A pytest plugin (loaded from pyproject's addopts) that scans the whole run's output for credentials.

It records every OAuth client secret any emulator was given and every access token any emulator issued,
and everything the run produced that a person or a log pipeline could see: each test's captured stdout,
stderr and log records (Powertools JSON logs and metrics), and every answer of the real
Lambda handler (`app.lambda_handler`'s return value or the text of what it raised: the error bodies).
At the end of the session the text is searched for each secret and token; a hit fails the run and names
the tests that leaked. Traces are covered by tests/integration/test_no_secret_in_traces.py, which records
real X-Ray segments through a fake emitter.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest

from genesys_emulator.models import OAuthClient
from genesys_emulator.state import EmulatorState

SECRETS: set[str] = set()
TOKENS: set[str] = set()
OUTPUT: list[tuple[str, str]] = []  # (test id, text)
_ANSWERS: list[str] = []


def _record_secrets() -> None:
    add_client, rotate, issue = (
        EmulatorState.add_client,
        EmulatorState.rotate_client_secret,
        EmulatorState.issue_token,
    )

    @functools.wraps(add_client)
    def add_client_recorded(self: EmulatorState, client: OAuthClient) -> None:
        SECRETS.add(client.client_secret)
        add_client(self, client)

    @functools.wraps(rotate)
    def rotate_recorded(self: EmulatorState, client_id: str, new_secret: str) -> None:
        SECRETS.add(new_secret)
        rotate(self, client_id, new_secret)

    @functools.wraps(issue)
    def issue_recorded(self: EmulatorState, client: OAuthClient) -> str:
        token = issue(self, client)
        TOKENS.add(token)
        return token

    EmulatorState.add_client = add_client_recorded  # type: ignore[method-assign]
    EmulatorState.rotate_client_secret = rotate_recorded  # type: ignore[method-assign]
    EmulatorState.issue_token = issue_recorded  # type: ignore[method-assign]


def _record_answers() -> None:
    import app

    handler: Callable[..., Any] = app.lambda_handler

    @functools.wraps(handler)
    def answered(event: Any, context: Any) -> Any:
        try:
            result = handler(event, context)
        except Exception as error:
            _ANSWERS.append(f"{type(error).__name__}: {error}")
            raise
        _ANSWERS.append(json.dumps(result, default=str))
        return result

    app.lambda_handler = answered


def pytest_configure(config: pytest.Config) -> None:
    _record_secrets()


def pytest_sessionstart(session: pytest.Session) -> None:
    _record_answers()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Failure reports are left out: pytest's assertion introspection shows a failing test's own locals.
    texts = [content for _, content in report.sections]
    texts.extend(_ANSWERS)
    _ANSWERS.clear()
    OUTPUT.extend((report.nodeid, text) for text in texts if text)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    credentials = {value for value in SECRETS | TOKENS if len(value) >= 8}
    hits = sorted(
        {
            (nodeid, "token" if value in TOKENS else "client secret")
            for nodeid, text in OUTPUT
            for value in credentials
            if value in text
        }
    )
    session.config.stash[SCAN] = (len(SECRETS), len(TOKENS), sum(len(t) for _, t in OUTPUT), hits)
    if hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


SCAN = pytest.StashKey[tuple[int, int, int, list[tuple[str, str]]]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if SCAN not in config.stash:
        return
    secrets, tokens, characters, hits = config.stash[SCAN]
    terminalreporter.write_line(
        f"credential leak scan: {characters} characters of captured logs, output and answers searched for"
        f" {secrets} client secrets and {tokens} issued tokens: {len(hits)} hits"
    )
    for nodeid, kind in hits:
        terminalreporter.write_line(f"  LEAK: a {kind} appears in the output of {nodeid}", red=True)
