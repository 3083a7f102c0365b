"""Rotating the Genesys client credentials with no downtime: the procedure in docs/operations.md, followed
step by step against the emulator and moto_server while a warm container keeps taking requests.

The procedure uses a second OAuth client: what Genesys does to an old secret when one is regenerated in
place is not documented (docs/genesys-facts.md#client-secret-rotation), so the docs assume the worst
(refused at once), as the emulator does (`rotate_client_secret`: the old secret is refused from then on).
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.events import api_event
from tests.integration.conftest import CLIENT_ID, LocalStack

NEW_CLIENT_ID = "participant-data-client-2"
NEW_CLIENT_SECRET = "client-secret-Nw55-do-not-leak"
TTL_SECONDS = 2.5  # SECRET_CACHE_TTL_SECONDS: 300 by default, short here so the test waits it out quickly
CALLS_PER_STEP = 3


def token_owner(stack: LocalStack, token: str | None) -> str:
    """The OAuth client a token was issued to, as Genesys tells it (`GET /api/v2/tokens/me`)."""
    assert token is not None
    request = urllib.request.Request(  # noqa: S310 - the emulator on loopback
        f"{stack.emulator.base_url}/api/v2/tokens/me", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - the emulator on loopback
        owner: str = json.loads(answer.read())["OAuthClient"]["id"]
        return owner


def serve(stack: LocalStack, calls: int = CALLS_PER_STEP) -> str:
    """Requests that must all succeed; returns the client whose token the last PATCH carried."""
    statuses = [stack.invoke(api_event("rest"))["statusCode"] for _ in range(calls)]
    assert statuses == [200] * calls
    last_patch = [r for r in stack.emulator.requests if r.method == "PATCH"][-1]
    return token_owner(stack, last_patch.token)


def store_new_credentials(stack: LocalStack) -> None:
    """`aws secretsmanager put-secret-value` of the new client's credentials (same secret, new version)."""
    stack.moto.put_genesys_secret(
        stack.secret_name, NEW_CLIENT_ID, NEW_CLIENT_SECRET, stack.emulator.base_url
    )


def retire_old_client(stack: LocalStack) -> None:
    """Delete the old client in Genesys: its secret stops working and, at worst, its tokens die with it
    (the emulator can only revoke every token, which is harsher still)."""
    stack.emulator.rotate_client_secret(CLIENT_ID, "deleted-client-nobody-knows")
    stack.emulator.revoke_tokens()


@pytest.fixture
def rotating(stack: LocalStack) -> LocalStack:
    stack.configure(SECRET_CACHE_TTL_SECONDS=str(TTL_SECONDS))
    assert serve(stack) == CLIENT_ID  # a warm container: secret and token of the old client cached
    return stack


def test_two_client_rotation_loses_no_request(rotating: LocalStack) -> None:
    stack = rotating
    # 1. A second OAuth client with the same role.
    stack.emulator.add_client(NEW_CLIENT_ID, NEW_CLIENT_SECRET)
    assert serve(stack) == CLIENT_ID

    # 2. aws secretsmanager put-secret-value with the new client's credentials.
    store_new_credentials(stack)
    assert serve(stack) == CLIENT_ID  # within the TTL the cached secret is still used, and still works

    # 3. Wait out SECRET_CACHE_TTL_SECONDS: the container re-reads the secret and takes a new token at once.
    time.sleep(TTL_SECONDS + 0.2)
    stack.emulator.clear_requests()
    assert serve(stack) == NEW_CLIENT_ID
    assert stack.token_requests() == 1

    # 4. Retire the old client.
    retire_old_client(stack)
    assert serve(stack) == NEW_CLIENT_ID

    login_statuses = [r.status for r in stack.emulator.requests if r.path == "/oauth/token"]
    assert not {400, 401} & set(login_statuses)  # never tried the retired client


def test_retiring_the_old_client_before_the_ttl_is_still_no_outage(rotating: LocalStack) -> None:
    """An operator in a hurry: the 401s that follow make the container renew its token, find the old
    credentials refused, and re-read the secret once (genesys/gateway.py)."""
    stack = rotating
    stack.emulator.add_client(NEW_CLIENT_ID, NEW_CLIENT_SECRET)
    store_new_credentials(stack)
    retire_old_client(stack)
    stack.emulator.clear_requests()

    assert serve(stack) == NEW_CLIENT_ID

    login_statuses = [r.status for r in stack.emulator.requests if r.path == "/oauth/token"]
    assert login_statuses == [401, 200]  # the old secret once, then the re-read secret
