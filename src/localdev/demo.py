"""`make demo`: the service's main job, end to end, against the local stand-ins.

Starts moto_server (Secrets Manager) and the Genesys Cloud emulator on loopback, stores the OAuth client
credentials in a secret, seeds a live conversation, then sends events/api-gateway-rest.json through the
real Lambda handler exactly as API Gateway delivers it, and shows the participant's data before and after.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from genesys_emulator import GenesysEmulator
from localdev.lambda_context import LocalLambdaContext
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer

EVENTS = Path(__file__).resolve().parents[2] / "events"
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret-not-for-production"
SECRET_NAME = "genesys/participant-data/demo"  # noqa: S105 - a secret's name, not its value  # nosec B105


def main() -> int:
    event: dict[str, Any] = json.loads((EVENTS / "api-gateway-rest.json").read_text())
    conversation_id = event["pathParameters"]["conversationId"]
    participant_id = event["pathParameters"]["participantId"]

    print("Starting the local stand-ins (loopback only)...")
    with MotoServer() as moto, GenesysEmulator() as genesys:
        print(f"  moto_server (Secrets Manager)  {moto.url}")
        print(f"  Genesys Cloud emulator         {genesys.base_url}")
        genesys.add_client(CLIENT_ID, CLIENT_SECRET)
        genesys.create_conversation(
            [
                {"id": participant_id, "purpose": "customer", "attributes": {"language": "en-US"}},
                {"purpose": "ivr"},
            ],
            conversation_id=conversation_id,
        )
        moto.put_genesys_secret(SECRET_NAME, CLIENT_ID, CLIENT_SECRET, genesys.base_url)
        os.environ.update(
            {
                **FAKE_AWS_ENVIRONMENT,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.url,
                "GENESYS_SECRET_ID": SECRET_NAME,
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
        )
        import app  # imported once configured, as Lambda imports it at init

        print(f"\nConversation {conversation_id}, customer participant {participant_id}")
        _show("Participant data before", genesys.participant_attributes(conversation_id, participant_id))
        print(f"\n{event['httpMethod']} {event['path']}\n  body: {event['body']}")

        response = app.lambda_handler(event, LocalLambdaContext())

        print(f"\nAnswer: HTTP {response['statusCode']}\n  body: {response['body']}")
        _show("Participant data after", genesys.participant_attributes(conversation_id, participant_id))
        print("\nWhat the service sent to Genesys:")
        for request in genesys.requests:
            print(f"  {request.method:5} {request.path} -> {request.status}")
    print("\nStopped the stand-ins.")
    return 0 if response["statusCode"] == 200 else 1


def _show(title: str, attributes: dict[str, str]) -> None:
    print(f"\n{title}:")
    for key, value in attributes.items():
        print(f"  {key} = {value}")


if __name__ == "__main__":
    sys.exit(main())
