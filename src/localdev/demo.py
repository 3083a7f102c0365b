"""`make demo`: the service's main job, end to end, against the local stand-ins, then an outage.

Starts moto_server (Secrets Manager, SQS, DynamoDB) and the Genesys Cloud emulator on loopback, stores the
OAuth client credentials in a secret, creates the outbox (its FIFO queue and pending-mark table, as the
template does: on by default), seeds a live conversation, then:

1. sends events/api-gateway-rest.json through the real Lambda handler exactly as API Gateway delivers it,
   and shows the participant's data before and after;
2. Genesys fails (the emulator answers every PATCH 503): the next write is kept in the outbox and the
   caller still gets 200, with `"queued": true`;
3. Genesys recovers: the queued write is received from the queue and handed to the outbox worker
   (`app.queue_worker`) as Lambda's SQS event source would, and the data shows it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any
from unittest import mock

from genesys_emulator import Fault
from localdev.lambda_context import LocalLambdaContext
from localdev.outbox_resources import OutboxResources, create_outbox
from localdev.queue_events import backlog, deliver_batch
from localdev.stack import SAMPLE_EVENT, LocalStack, local_stack

OUTAGE = Fault(status=503, count=1000, method="PATCH")  # every PATCH fails until the faults are cleared
OUTAGE_WRITE = {"attributes": {"customer_tier": "platinum", "callback_requested": "yes"}}


def main() -> int:
    event: dict[str, Any] = json.loads(SAMPLE_EVENT.read_text())

    print("Starting the local stand-ins (loopback only)...")
    with local_stack() as stack:
        outbox = create_outbox(stack.moto.url)
        with mock.patch.dict(os.environ, outbox.environment()):
            _new_container()
            print(f"  moto_server (Secrets Manager, SQS, DynamoDB)  {stack.moto.url}")
            print(f"  Genesys Cloud emulator                        {stack.genesys.base_url}")
            print(f"  Outbox queue (FIFO)                           {outbox.queue_url}")
            print(f"  Outbox pending-mark table                     {outbox.table_name}")
            import app  # imported once configured, as Lambda imports it at init
            from participant_data.observability import logger

            # The demo narrates; the service's own warning for a queued write would interrupt it.
            logger.setLevel(logging.ERROR)

            print(f"\nConversation {stack.conversation_id}, customer participant {stack.customer_id}")
            written = _act_one(app, stack, event)
            queued = _act_two(app, stack, outbox, event)
            applied = _act_three(app, stack, outbox)
            print("\nWhat the service sent to Genesys:")
            for request in stack.genesys.requests:
                print(f"  {request.method:5} {request.path} -> {request.status}")
        _new_container()
    print("\nStopped the stand-ins.")
    return 0 if written and queued and applied else 1


def _act_one(app: Any, stack: LocalStack, event: dict[str, Any]) -> bool:
    print("\n== 1. A data action sets participant data ==")
    _show("Participant data before", stack.customer_attributes())
    print(f"\n{event['httpMethod']} {event['path']}\n  body: {event['body']}")
    response = app.lambda_handler(event, LocalLambdaContext())
    print(f"\nAnswer: HTTP {response['statusCode']}\n  body: {response['body']}")
    _show("Participant data after", stack.customer_attributes())
    return bool(response["statusCode"] == 200)


def _act_two(app: Any, stack: LocalStack, outbox: OutboxResources, event: dict[str, Any]) -> bool:
    print("\n== 2. Genesys Cloud fails: the write is kept in the outbox ==")
    stack.genesys.inject_fault(OUTAGE)
    print("  (the emulator now answers every PATCH with 503)")
    outage_event = {**event, "body": json.dumps(OUTAGE_WRITE)}
    print(f"\n{event['httpMethod']} {event['path']}\n  body: {outage_event['body']}")
    started = time.monotonic()
    response = app.lambda_handler(outage_event, LocalLambdaContext())
    took = time.monotonic() - started
    print(f"\nAnswer after {took:.1f} s: HTTP {response['statusCode']}\n  body: {response['body']}")
    _show(
        "Participant data now (unchanged: Genesys has not taken the write yet)", stack.customer_attributes()
    )
    _show_outbox(outbox, stack)
    return response["statusCode"] == 200 and json.loads(response["body"]).get("queued") is True


def _act_three(app: Any, stack: LocalStack, outbox: OutboxResources) -> bool:
    print("\n== 3. Genesys Cloud recovers: the outbox worker applies the write ==")
    stack.genesys.clear_faults()
    delivery = deliver_batch(outbox, app.queue_worker)
    if delivery is None:
        print("  The queue had nothing to deliver.")
        return False
    print(
        f"  Received {delivery.size} message(s) from the queue; app.queue_worker answered {delivery.response}"
    )
    after = stack.customer_attributes()
    _show("Participant data after", after)
    _show_outbox(outbox, stack)
    return not delivery.failed and all(
        after.get(key) == value for key, value in OUTAGE_WRITE["attributes"].items()
    )


def _show_outbox(outbox: OutboxResources, stack: LocalStack) -> None:
    waiting, in_flight = backlog(outbox)
    mark = outbox.pending_mark(f"{stack.conversation_id}:{stack.customer_id}")
    print(f"\nOutbox: {waiting} write(s) waiting, {in_flight} in flight")
    if mark is None:
        print("  no pending mark: the participant's next write goes to Genesys at once")
    else:
        newest = mark["lastRequestId"]["S"]
        print(f"  pending mark: this participant's later writes queue behind request {newest}")


def _show(title: str, attributes: dict[str, str]) -> None:
    print(f"\n{title}:")
    for key, value in attributes.items():
        print(f"  {key} = {value}")


def _new_container() -> None:
    """The service reads its settings once per container: start a new one for the outbox's settings."""
    from participant_data.container import dependencies
    from participant_data.settings import load_settings

    load_settings.cache_clear()
    dependencies.cache_clear()


if __name__ == "__main__":
    sys.exit(main())
