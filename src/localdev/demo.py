"""`make demo`: the service's main job, end to end, against the local stand-ins.

Starts moto_server (Secrets Manager) and the Genesys Cloud emulator on loopback, stores the OAuth client
credentials in a secret, seeds a live conversation, then sends events/api-gateway-rest.json through the
real Lambda handler exactly as API Gateway delivers it, and shows the participant's data before and after.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from localdev.lambda_context import LocalLambdaContext
from localdev.stack import SAMPLE_EVENT, local_stack


def main() -> int:
    event: dict[str, Any] = json.loads(SAMPLE_EVENT.read_text())

    print("Starting the local stand-ins (loopback only)...")
    with local_stack() as stack:
        print(f"  moto_server (Secrets Manager)  {stack.moto.url}")
        print(f"  Genesys Cloud emulator         {stack.genesys.base_url}")
        import app  # imported once configured, as Lambda imports it at init

        print(f"\nConversation {stack.conversation_id}, customer participant {stack.customer_id}")
        _show("Participant data before", stack.customer_attributes())
        print(f"\n{event['httpMethod']} {event['path']}\n  body: {event['body']}")

        response = app.lambda_handler(event, LocalLambdaContext())

        print(f"\nAnswer: HTTP {response['statusCode']}\n  body: {response['body']}")
        _show("Participant data after", stack.customer_attributes())
        print("\nWhat the service sent to Genesys:")
        for request in stack.genesys.requests:
            print(f"  {request.method:5} {request.path} -> {request.status}")
    print("\nStopped the stand-ins.")
    return 0 if response["statusCode"] == 200 else 1


def _show(title: str, attributes: dict[str, str]) -> None:
    print(f"\n{title}:")
    for key, value in attributes.items():
        print(f"  {key} = {value}")


if __name__ == "__main__":
    sys.exit(main())
