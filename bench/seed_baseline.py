"""The seed-style baseline: what the popular tutorial's Lambda does, for comparison only (never deployed).

- `import PureCloudPlatformClientV2` (the whole SDK, eager `__init__`, config-watcher threads);
- at init: read the secret with boto3, log in with the SDK's default client
  (`ApiClient().get_client_credentials_token`), keep the client in a module global;
- per invocation: GET the conversation, find the participant, merge the new attributes into its current
  map locally, PATCH the whole map back (two Genesys requests, and a read-modify-write race).

Packaged the way `sam build`'s standard Python workflow packages it (wheels unpacked, no bytecode:
bench/run.py), so on Lambda every cold start compiles what it imports.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import PureCloudPlatformClientV2

_secret = json.loads(
    boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["GENESYS_SECRET_ID"])["SecretString"]
)
_environment = _secret["environment"]
_host = _environment if _environment.startswith("http") else f"https://api.{_environment}"
_api_client = PureCloudPlatformClientV2.api_client.ApiClient(host=_host).get_client_credentials_token(
    _secret["client_id"], _secret["client_secret"]
)
_conversations = PureCloudPlatformClientV2.ConversationsApi(_api_client)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    conversation_id = event["pathParameters"]["conversationId"]
    participant_id = event["pathParameters"]["participantId"]
    new_attributes = json.loads(event["body"])["attributes"]

    conversation = _conversations.get_conversation(conversation_id)
    participant = next(p for p in conversation.participants if p.id == participant_id)
    merged = dict(participant.attributes or {})
    merged.update({key: str(value) for key, value in new_attributes.items()})

    body = PureCloudPlatformClientV2.ParticipantAttributes()
    body.attributes = merged
    _conversations.patch_conversation_participant_attributes(conversation_id, participant_id, body)
    return {"statusCode": 200, "body": json.dumps({"attributes": merged})}
