"""The outbox worker's SQS batches (`app.queue_worker`): Lambda's event source mapping delivers them.

The answer is the partial batch response (`batchItemFailures`), which the template's
`FunctionResponseTypes: [ReportBatchItemFailures]` makes Lambda read. A misconfigured worker raises: every
message then comes back later, and the worker's Errors alarm says why.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.deadline import Deadline
from participant_data.errors import ConfigurationError
from participant_data.observability import logger
from participant_data.worker_container import worker_dependencies


def handle_queue_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Imported on the worker's first batch, not at init: both functions load app.py, and Powertools'
    # batch utilities (with the data classes of every stream they support) would otherwise add to the
    # request function's init (about 15 ms measured locally) for nothing.
    from participant_data.logic.apply_queued_writes import WorkerPolicy, apply_queued_writes

    try:
        deps = worker_dependencies()
    except ConfigurationError as error:
        logger.error("The outbox worker is misconfigured", extra={"error_code": error.code})
        raise
    settings = deps.settings
    policy = WorkerPolicy(settings.outbox_max_age_seconds, settings.limits, settings.log_attribute_values)
    response = apply_queued_writes(
        event,
        deps.genesys,
        deps.marks,
        deps.visibility,
        policy,
        # Each group's calls get the request budget, never past the invocation's own end.
        lambda: Deadline.for_invocation(settings, context.get_remaining_time_in_millis()),
    )
    return dict(response)
