"""The local stand-ins wired together, as `make demo`, `make serve` and the tests need them.

moto_server holds the Genesys secret, the Genesys Cloud emulator knows its OAuth client and the sample
conversation of events/api-gateway-rest.json (a customer participant and an IVR), and the environment
points the service at both. Everything started here is stopped, and the environment restored, on exit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from genesys_emulator import GenesysEmulator
from localdev.moto_server import FAKE_AWS_ENVIRONMENT, MotoServer

EVENTS = Path(__file__).resolve().parents[2] / "events"
SAMPLE_EVENT = EVENTS / "api-gateway-rest.json"
CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret-not-for-production"
SECRET_NAME = "genesys/participant-data/local"  # noqa: S105 - a secret's name, not its value  # nosec B105
CUSTOMER_ATTRIBUTES = {"language": "en-US"}


@dataclass(frozen=True)
class LocalStack:
    """The running stand-ins and what the service was told about them."""

    moto: MotoServer
    genesys: GenesysEmulator
    secret_name: str
    conversation_id: str
    customer_id: str
    environment: Mapping[str, str]

    def customer_attributes(self) -> dict[str, str]:
        return self.genesys.participant_attributes(self.conversation_id, self.customer_id)


def sample_ids() -> tuple[str, str]:
    """The conversation and customer participant IDs of the sample event."""
    parameters = json.loads(SAMPLE_EVENT.read_text())["pathParameters"]
    return parameters["conversationId"], parameters["participantId"]


@contextmanager
def local_stack(
    *,
    moto: MotoServer | None = None,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
    secret_name: str = SECRET_NAME,
    customer_attributes: Mapping[str, str] = CUSTOMER_ATTRIBUTES,
) -> Iterator[LocalStack]:
    """Start (or reuse `moto`) and seed the stand-ins, configure the service, and undo it all on exit.

    The service's cached settings and container are dropped on entry and exit, so a handler already
    imported behaves like a new Lambda container pointed at these stand-ins.
    """
    conversation_id, customer_id = sample_ids()
    with ExitStack() as stack:
        moto = moto or stack.enter_context(MotoServer())
        genesys = stack.enter_context(GenesysEmulator())
        genesys.add_client(client_id, client_secret)
        genesys.create_conversation(
            [
                {"id": customer_id, "purpose": "customer", "attributes": dict(customer_attributes)},
                {"purpose": "ivr"},
            ],
            conversation_id=conversation_id,
        )
        moto.put_genesys_secret(secret_name, client_id, client_secret, genesys.base_url)
        environment = {
            **FAKE_AWS_ENVIRONMENT,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.url,
            "GENESYS_SECRET_ID": secret_name,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        stack.enter_context(mock.patch.dict(os.environ, environment))
        stack.callback(_new_container)
        _new_container()
        yield LocalStack(moto, genesys, secret_name, conversation_id, customer_id, environment)


def _new_container() -> None:
    """Forget the settings and long-lived objects built from the previous environment."""
    # Imported here, not at the top: the service's logger reads its level from the environment when
    # first imported, which must happen once the environment above is in place.
    from participant_data.container import dependencies
    from participant_data.settings import load_settings

    load_settings.cache_clear()
    dependencies.cache_clear()
