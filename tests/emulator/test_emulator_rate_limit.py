"""Optional per-token rate limiting of /api/v2 (Genesys: 300 requests per token per minute)."""

from __future__ import annotations

import time
from collections.abc import Callable

from urllib3 import BaseHTTPResponse

from genesys_emulator import GenesysEmulator

ApiCall = Callable[..., BaseHTTPResponse]
TokenRequest = Callable[..., BaseHTTPResponse]
NewToken = Callable[..., str]

TOKENS_ME = "/api/v2/tokens/me"


def test_rate_limiting_is_off_by_default(api: ApiCall) -> None:
    assert {api("GET", TOKENS_ME).status for _ in range(50)} == {200}


def test_over_the_limit_is_429_with_retry_after(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.set_rate_limit(3)

    statuses = [api("GET", TOKENS_ME).status for _ in range(3)]
    limited = api("GET", TOKENS_ME)

    assert statuses == [200, 200, 200]
    assert limited.status == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    document = limited.json()
    assert document["code"] == "too.many.requests.retry.after"
    assert document["message"] == "Rate limit exceeded the maximum [3] requests within [60] seconds"
    assert document["messageParams"] == {"limit": "3", "window": "60"}


def test_the_limit_is_per_token(emulator: GenesysEmulator, api: ApiCall, new_token: NewToken) -> None:
    emulator.set_rate_limit(1)
    first, second = new_token(), new_token()

    assert api("GET", TOKENS_ME, token=first).status == 200
    assert api("GET", TOKENS_ME, token=first).status == 429
    assert api("GET", TOKENS_ME, token=second).status == 200


def test_the_login_is_not_rate_limited(emulator: GenesysEmulator, token_request: TokenRequest) -> None:
    emulator.set_rate_limit(1)

    assert {token_request().status for _ in range(3)} == {200}


def test_a_slot_frees_when_the_window_slides(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.set_rate_limit(2, window_seconds=0.5)
    assert [api("GET", TOKENS_ME).status for _ in range(3)] == [200, 200, 429]
    assert api("GET", TOKENS_ME).headers["Retry-After"] == "1"  # whole seconds, rounded up

    time.sleep(0.55)

    assert api("GET", TOKENS_ME).status == 200


def test_rejected_requests_do_not_use_up_slots(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.set_rate_limit(1, window_seconds=0.3)
    assert api("GET", TOKENS_ME).status == 200
    assert all(api("GET", TOKENS_ME).status == 429 for _ in range(5))

    time.sleep(0.35)

    assert api("GET", TOKENS_ME).status == 200


def test_turning_the_limit_off(emulator: GenesysEmulator, api: ApiCall) -> None:
    emulator.set_rate_limit(1)
    api("GET", TOKENS_ME)
    assert api("GET", TOKENS_ME).status == 429

    emulator.set_rate_limit(None)

    assert api("GET", TOKENS_ME).status == 200
