"""The credential leak scan (tests/leakscan.py) finds a credential in every form output may carry it in."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.leakscan import credentials_to_search, find_leaks

CLIENT_ID = "leak-test-client"
# Characters that every encoding below changes: '/', '+', '"', '\\', ' ', '&', and a non-ASCII one.
SECRET = 'se/cr+et "with" \\ & spaces ünïcode'
TOKEN = "tok/en+with=padding=="
TEST_ID = "tests/unit/test_something.py::test_it"


def _leaks(text: str) -> list[tuple[str, str]]:
    return find_leaks([(TEST_ID, text)], credentials_to_search({(CLIENT_ID, SECRET)}, {TOKEN}))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"secret={SECRET}", "client secret"),
        (urlencode({"client_secret": SECRET}), "client secret"),  # a form body: spaces as '+'
        (json.dumps({"secret": SECRET}), "client secret"),  # a JSON log line: '"' and '\\' escaped
        (json.dumps({"secret": SECRET}, ensure_ascii=False), "client secret"),
        (
            "Authorization: Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode(),
            "Basic credential",
        ),
        (f"Authorization: Bearer {TOKEN}", "token"),
        (json.dumps({"headers": {"Authorization": f"Bearer {TOKEN}"}}), "token"),
        (urlencode({"access_token": TOKEN}), "token"),
    ],
    ids=[
        "raw",
        "form-encoded",
        "json-escaped",
        "json-unicode",
        "basic",
        "raw-token",
        "json-token",
        "url-encoded-token",
    ],
)
def test_each_form_of_a_credential_is_found(text: str, kind: str) -> None:
    assert (TEST_ID, kind) in _leaks(text)


@pytest.mark.parametrize(
    "quoted",
    [
        "se%2Fcr%2Bet%20%22with%22%20%5C%20%26%20spaces%20%C3%BCn%C3%AFcode",  # quote(safe="")
        "se%2Fcr%2Bet+%22with%22+%5C+%26+spaces+%C3%BCn%C3%AFcode",  # quote_plus
    ],
    ids=["percent-encoded", "plus-encoded"],
)
def test_a_url_encoded_secret_is_found(quoted: str) -> None:
    assert _leaks(f"GET /callback?secret={quoted}") == [(TEST_ID, "client secret")]


def test_the_encodings_really_differ_from_the_raw_secret() -> None:
    """Otherwise the cases above would pass on the raw search alone."""
    encoded = {
        urlencode({"s": SECRET})[2:],
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode(),
    }
    assert all(SECRET not in form for form in encoded)
    assert len(encoded) == 4


def test_text_without_a_credential_is_clean() -> None:
    assert _leaks(f"client {CLIENT_ID} authenticated; token issued, expires_in 86400") == []


def test_values_too_short_to_be_told_from_ordinary_text_are_not_searched() -> None:
    credentials = credentials_to_search({("c", "short")}, {"tok"})
    assert "short" not in credentials
    assert "tok" not in credentials
    # The Basic credential carries the client id too, so it stays specific enough to search.
    assert credentials[base64.b64encode(b"c:short").decode()] == "Basic credential"
