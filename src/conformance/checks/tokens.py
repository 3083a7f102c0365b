"""The login server and the token probe: wrong credentials, a client-credentials token, ``/tokens/me``."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from conformance.checks.model import Check, Outcome, answer_time
from conformance.plan import TOKEN_PATH, TOKENS_ME_PATH, PlannedRequest
from conformance.session import Exchange, Session
from conformance.targets import ClientCredentials

TOKEN_LIFETIME_RANGE = range(300, 172800 + 1)  # seconds (docs/genesys-facts.md#client-credentials-token)
TOKEN_FIELDS = ("access_token", "expires_in", "token_type")

WRONG_SECRET = PlannedRequest(
    "POST", "login", TOKEN_PATH, "client credentials with the client's ID and a made-up secret"
)
UNKNOWN_CLIENT = PlannedRequest("POST", "login", TOKEN_PATH, "client credentials of a made-up client")
VALID_CREDENTIALS = PlannedRequest(
    "POST", "login", TOKEN_PATH, "the client's credentials from the environment"
)
HEAD_TOKENS_ME = PlannedRequest("HEAD", "api", TOKENS_ME_PATH, "the token just obtained")


def _credentials(session: Session) -> ClientCredentials:
    if session.target.credentials is None:
        raise RuntimeError("no client credentials")
    return session.target.credentials


def _rejection(exchange: Exchange) -> Outcome:
    body = exchange.json_object
    return Outcome(
        findings={
            "status": exchange.status,
            "content_type": exchange.media_type,
            "error": body.get("error") if body else None,
            "body_keys": sorted(body) if body is not None else None,
        },
        expected={"status": (400, 401), "content_type": ("application/json",), "error": ("invalid_client",)},
        timings=answer_time(exchange),
    )


def _wrong_secret(session: Session) -> Outcome:
    client_id = _credentials(session).client_id
    return _rejection(session.token(WRONG_SECRET, client_id, secrets.token_urlsafe(24)))


def _unknown_client(session: Session) -> Outcome:
    made_up = f"conformance-unknown-{uuid.uuid4()}"
    return _rejection(session.token(UNKNOWN_CLIENT, made_up, secrets.token_urlsafe(24)))


def _valid_credentials(session: Session) -> Outcome:
    credentials = _credentials(session)
    exchange = session.token(VALID_CREDENTIALS, credentials.client_id, credentials.client_secret)
    body: dict[str, Any] = exchange.json_object or {}
    token = body.get("access_token")
    if exchange.status == 200 and isinstance(token, str) and token:
        session.access_token = token
    token_type = body.get("token_type")
    expires_in = body.get("expires_in")
    return Outcome(
        findings={
            "status": exchange.status,
            "content_type": exchange.media_type,
            "token_fields": [name for name in TOKEN_FIELDS if name in body],
            "token_type": token_type.lower() if isinstance(token_type, str) else None,
            "expires_in_allowed": isinstance(expires_in, int) and expires_in in TOKEN_LIFETIME_RANGE,
            "body_keys": sorted(body),
        },
        expected={
            "status": (200,),
            "content_type": ("application/json",),
            "token_fields": (list(TOKEN_FIELDS),),
            "token_type": ("bearer",),
            "expires_in_allowed": (True,),
        },
        timings=answer_time(exchange),
    )


def _tokens_me(session: Session) -> Outcome:
    exchange = session.api(HEAD_TOKENS_ME)
    return Outcome(
        findings={"status": exchange.status, "body_bytes": len(exchange.answer.body)},
        expected={"status": (200,), "body_bytes": (0,)},
        timings=answer_time(exchange),
    )


TOKEN_CHECKS = (
    Check(
        id="token-wrong-secret",
        behaviour="The token endpoint refuses the client's ID with a wrong secret.",
        assumption="400 or 401 with an OAuth error body whose `error` is `invalid_client`; the service takes "
        "either status as 'credentials rejected'.",
        anchors=("rejected-credentials",),
        plan=(WRONG_SECRET,),
        run=_wrong_secret,
    ),
    Check(
        id="token-unknown-client",
        behaviour="The token endpoint refuses a client ID it does not know.",
        assumption="400 or 401 with an OAuth error body whose `error` is `invalid_client`.",
        anchors=("rejected-credentials",),
        plan=(UNKNOWN_CLIENT,),
        run=_unknown_client,
    ),
    Check(
        id="token-client-credentials",
        behaviour="Valid client credentials get an access token.",
        assumption="200 with JSON `{access_token, token_type, expires_in}`, `token_type` bearer, "
        "`expires_in` between 300 and 172800 seconds.",
        anchors=("client-credentials-token",),
        plan=(VALID_CREDENTIALS,),
        run=_valid_credentials,
    ),
    Check(
        id="tokens-me-head",
        behaviour="`HEAD /api/v2/tokens/me` accepts a client-credentials token.",
        assumption="200 with no body: a cheap probe that the token works.",
        anchors=("token-probes",),
        plan=(HEAD_TOKENS_ME,),
        run=_tokens_me,
    ),
)
