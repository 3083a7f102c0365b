"""A pytest plugin (loaded from pyproject's addopts) that scans the whole run's output for credentials.

It records every OAuth client (id and secret) any emulator was given and every access token any emulator
issued, and everything the run produced that a person or a log pipeline could see: each test's captured
stdout, stderr and log records (Powertools JSON logs and metrics), and every answer of the real
Lambda handler (`app.lambda_handler`'s return value or the text of what it raised: the error bodies).
At the end of the session the text is searched for each secret and token, and for each client's Basic
credential (`base64(client_id:client_secret)`, what the token request's Authorization header carries),
each also URL-encoded and JSON-escaped (`credential_forms`): a hit fails the run and names the tests
that leaked. Traces are covered by tests/integration/test_no_secret_in_traces.py, which records real
X-Ray segments through a fake emitter.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from genesys_emulator.models import OAuthClient
from genesys_emulator.state import EmulatorState

CLIENTS: set[tuple[str, str]] = set()  # (client id, client secret)
TOKENS: set[str] = set()
# Shorter values would match ordinary text by chance; the emulator's secrets and tokens are far longer.
MIN_CREDENTIAL_LENGTH = 8
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
        CLIENTS.add((client.client_id, client.client_secret))
        add_client(self, client)

    @functools.wraps(rotate)
    def rotate_recorded(self: EmulatorState, client_id: str, new_secret: str) -> None:
        CLIENTS.add((client_id, new_secret))
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


def basic_credential(client_id: str, client_secret: str) -> str:
    """What HTTP Basic authentication sends for a client: `base64(client_id:client_secret)`."""
    return base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def credential_forms(value: str) -> set[str]:
    """`value` as output may carry it: raw, URL-encoded (in a path or query, or a form body: a space as
    `+`), and escaped inside a JSON string (with and without `\\uXXXX` for non-ASCII characters)."""
    return {
        value,
        quote(value, safe=""),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }


def credentials_to_search(clients: Iterable[tuple[str, str]], tokens: Iterable[str]) -> dict[str, str]:
    """Each credential of the run, by what it is: client secrets, Basic credentials, tokens."""
    found = {basic_credential(client_id, secret): "Basic credential" for client_id, secret in clients}
    found.update({secret: "client secret" for _, secret in clients})
    found.update(dict.fromkeys(tokens, "token"))
    return {value: kind for value, kind in found.items() if len(value) >= MIN_CREDENTIAL_LENGTH}


def find_leaks(outputs: Iterable[tuple[str, str]], credentials: Mapping[str, str]) -> list[tuple[str, str]]:
    """(test id, kind) for each output that holds a credential in any of its forms, sorted."""
    forms = {form: kind for value, kind in credentials.items() for form in credential_forms(value)}
    return sorted(
        {(nodeid, kind) for nodeid, text in outputs for form, kind in forms.items() if form in text}
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    hits = find_leaks(OUTPUT, credentials_to_search(CLIENTS, TOKENS))
    session.config.stash[SCAN] = (len(CLIENTS), len(TOKENS), sum(len(t) for _, t in OUTPUT), hits)
    if hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


SCAN = pytest.StashKey[tuple[int, int, int, list[tuple[str, str]]]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if SCAN not in config.stash:
        return
    clients, tokens, characters, hits = config.stash[SCAN]
    terminalreporter.write_line(
        f"credential leak scan: {characters} characters of captured logs, output and answers searched for"
        f" {clients} client secrets and Basic credentials and {tokens} issued tokens (raw, URL-encoded,"
        f" JSON-escaped): {len(hits)} hits"
    )
    for nodeid, kind in hits:
        terminalreporter.write_line(f"  LEAK: a {kind} appears in the output of {nodeid}", red=True)
