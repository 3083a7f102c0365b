"""What both request paths do once the update is validated: run the use case within the invocation's
budget, with the deployment's outbox (if any) and the invocation's id for a queued write."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import Dependencies
from participant_data.deadline import Deadline
from participant_data.logic.set_attributes import set_attributes
from participant_data.models import AttributeUpdate, UpdateResult


def run_update(update: AttributeUpdate, deps: Dependencies, context: LambdaContext) -> UpdateResult:
    """The Lambda request id is the queued write's deduplication id: a send retried within the invocation
    is stored once, and every invocation's write is its own (logic/outbox_routing.py)."""
    deadline = Deadline.for_invocation(deps.settings, context.get_remaining_time_in_millis())
    return set_attributes(
        update,
        deadline,
        deps.genesys,
        deps.customers,
        deps.settings.log_attribute_values,
        outbox=deps.outbox,
        request_id=context.aws_request_id,
    )
