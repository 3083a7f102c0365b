"""``python -m genesys_emulator``: run the emulator until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .emulator import GenesysEmulator
from .errors import NonLoopbackHostError
from .models import DEFAULT_TOKEN_LIFETIME, OAuthClient

DESCRIPTION = """\
Run a local Genesys Cloud emulator on loopback: the OAuth client-credentials login
(POST /oauth/token), the participant-attributes API (PATCH /api/v2/conversations/{cid}/
participants/{pid}/attributes, GET /api/v2/conversations/{cid}), the token probes
(/api/v2/tokens/me, /api/v2/organizations/me) and fault injection.

Once it listens, it prints exactly one JSON line on stdout and flushes it:
  {"base_url": "http://127.0.0.1:PORT"}
Point the Genesys SDK (or the service) at that base URL: it serves the login and the API paths.
It serves until SIGTERM or SIGINT (Ctrl-C), then exits 0.
"""

EPILOG = """\
Seed it and inject faults through the admin API (no auth, loopback only), e.g.:
  curl -s -X POST $URL/_emulator/conversations -d '{"participants": [{"purpose": "customer"}]}'
  curl -s -X POST $URL/_emulator/faults -d '{"status": 503, "count": 2, "retry_after": 1}'
  curl -s -X POST $URL/_emulator/conversations/$CID/participants/$PID/end   # the participant leaves
  curl -s $URL/_emulator/requests
or from Python: genesys_emulator.EmulatorAdmin(URL). The full reference is docs/emulator.md.
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m genesys_emulator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listen = parser.add_mutually_exclusive_group()
    listen.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), localhost or ::1; anything else is refused",
    )
    listen.add_argument(
        "--container-network",
        action="store_true",
        help=(
            "inside a container only (refused elsewhere): listen on every interface of the container, for "
            "the other containers of its network (make invoke runs the function and the emulator so)"
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 (default) picks a free one")
    parser.add_argument("--client-id", help="an OAuth client to accept (needs --client-secret)")
    parser.add_argument("--client-secret", help="the secret of --client-id")
    parser.add_argument(
        "--token-lifetime",
        type=_positive,
        default=DEFAULT_TOKEN_LIFETIME,
        metavar="SECONDS",
        help=(
            f"access-token lifetime of --client-id (default {DEFAULT_TOKEN_LIFETIME}; Genesys allows "
            "300..172800, the emulator any value >= 1)"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive,
        metavar="N",
        help="answer 429 past N /api/v2 requests per token per 60 s (Genesys: 300); off by default",
    )
    parser.add_argument(
        "--log-requests",
        action="store_true",
        help="log one line per request on stderr (method, path, status, duration; never tokens or bodies)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, serve until SIGTERM/SIGINT, return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.client_id is None) != (args.client_secret is None):
        parser.error("--client-id and --client-secret go together")
    clients = []
    if args.client_id is not None:
        try:
            clients.append(OAuthClient(args.client_id, args.client_secret, args.token_lifetime))
        except ValueError as error:
            parser.error(str(error))
    try:
        emulator = GenesysEmulator(
            args.host,
            args.port,
            clients=clients,
            rate_limit=args.rate_limit,
            log_requests=args.log_requests,
            container_network=args.container_network,
        )
    except NonLoopbackHostError as error:
        parser.error(str(error))
    if args.log_requests:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        emulator.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        print(json.dumps({"base_url": emulator.base_url}), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
