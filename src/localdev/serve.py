"""`make serve`: the service's API on this machine, as API Gateway serves it, without Docker or AWS.

Starts moto_server and the Genesys Cloud emulator on loopback (localdev.stack: the secret, the OAuth
client and the sample conversation of events/api-gateway-rest.json), then the local API
(localdev.local_api) in front of the real Lambda handler, and prints the URL, the API key, the emulator's
URL and a ready-to-paste curl line. Runs until Ctrl-C (SIGINT) or SIGTERM, then stops everything.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import shlex
import signal
import sys
import time
from collections.abc import Sequence

from localdev.local_api import API_KEY_HEADER, LambdaHandler, LocalApi
from localdev.moto_server import FAKE_AWS_ENVIRONMENT
from localdev.stack import SAMPLE_EVENT, LocalStack, local_stack

DEFAULT_PORT = 3000


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    api_key = os.environ.get("LOCAL_API_KEY") or secrets.token_urlsafe(24)
    # Ctrl-C (even when started with SIGINT ignored, as shells start background jobs) and SIGTERM stop it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)

    print("Starting the local stand-ins (loopback only)...", flush=True)
    with local_stack() as stack:
        import app  # imported once configured, as Lambda imports it at init

        api = _local_api(app.lambda_handler, api_key, arguments.port)
        if api is None:
            return 2
        with api:
            _print_banner(api, stack)
            _wait_for_interrupt()
    print("Stopped the local API and the stand-ins.", flush=True)
    return 0


def _wait_for_interrupt() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signum, signal.SIG_IGN)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make serve", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, or a free one if it is busy; 0: a free one)",
    )
    return parser


def _local_api(handler: LambdaHandler, api_key: str, port: int | None) -> LocalApi | None:
    """The local API on `port`; on the default port, a free one when it is taken."""
    try:
        return LocalApi(handler, api_key, port=DEFAULT_PORT if port is None else port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        if port is not None:
            print(f"Port {port} is already in use: choose another with --port (make serve PORT=...).")
            return None
    api = LocalApi(handler, api_key, port=0)
    print(f"Port {DEFAULT_PORT} is already in use; serving on {api.port} instead.", flush=True)
    return api


def _print_banner(api: LocalApi, stack: LocalStack) -> None:
    route = api.route
    body = json.loads(SAMPLE_EVENT.read_text())["body"]
    path = route.resource.format(conversationId=stack.conversation_id, participantId=stack.customer_id)
    curl = shlex.join(
        [
            *("curl", "-sS", "-i", "-X", route.method, f"{api.url}{path}"),
            *("-H", f"{API_KEY_HEADER}: {api.api_key}", "-H", "Content-Type: application/json", "-d", body),
        ]
    )
    print(
        f"""
Local API (as API Gateway's stage "{route.stage}" serves it), Ctrl-C to stop:
  URL               {api.url}
  route             {route.method} {route.resource}
  API key           {api.api_key}   (header {API_KEY_HEADER}; set LOCAL_API_KEY to choose it)
  Genesys emulator  {stack.genesys.base_url}   (inspect or seed it with its admin API: docs/emulator.md)
  moto_server       {stack.moto.url}
  conversation      {stack.conversation_id}
  customer          {stack.customer_id}   (or the alias "customer")

Try it:
  {curl}

Read the participant's data back with the operator command (the same secret, from moto_server):
  {_cli_line(stack)}

Requests are logged below (method, path, status, duration).""",
        flush=True,
    )


def _cli_line(stack: LocalStack) -> str:
    environment = {**FAKE_AWS_ENVIRONMENT, "AWS_ENDPOINT_URL_SECRETS_MANAGER": stack.moto.url}
    command = [".venv/bin/participant-data", "--secret-id", stack.secret_name]
    return shlex.join(
        [
            "env",
            *(f"{name}={value}" for name, value in environment.items()),
            *(*command, "get", stack.conversation_id, "customer"),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
