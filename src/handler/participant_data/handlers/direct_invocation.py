"""Direct invocation by Genesys's AWS Lambda data actions integration.

Only a raised error takes the data action's Failure path; a returned error object would count as success
(docs/genesys-facts.md#lambda-data-actions). So failures raise DataActionFailed, whose message carries the
status, the code and the human message, and nothing internal. A write queued in the outbox is returned
like one written now, with `"queued": true`.

A direct invocation can carry any JSON, including what looks like an SQS batch: that is refused here,
never processed, since queue batches are the worker's (`app.queue_worker`) and this path would apply
nothing of them in order or report their failures to SQS.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import dependencies
from participant_data.errors import InvalidRequest, ServiceError
from participant_data.handlers.failures import report_failure
from participant_data.handlers.updates import run_update
from participant_data.observability import logger, record_rejected_invocation
from participant_data.validation import update_from_event


class DataActionFailed(Exception):
    def __init__(self, error: ServiceError) -> None:
        super().__init__(f"{error.status} {error.code}: {error.message}")
        self.status = error.status
        self.code = error.code


def handle_direct_invocation(event: object, context: LambdaContext) -> dict[str, object]:
    try:
        if is_queue_batch(event):
            raise InvalidRequest(
                "The event is an SQS batch: this entry point takes data action requests only;"
                " send queue batches to app.queue_worker (the outbox worker function)."
            )
        deps = dependencies()
        update = update_from_event(event, deps.settings.limits)
        logger.append_keys(conversation_id=update.conversation_id)
        return run_update(update, deps, context).to_dict()
    except ServiceError as error:
        raise invocation_failure(error) from None


def is_queue_batch(event: object) -> bool:
    """An event shaped like the SQS event source's: `Records` whose items come from `aws:sqs`."""
    if not isinstance(event, dict):
        return False
    records = event.get("Records")
    return isinstance(records, list) and any(
        isinstance(record, dict) and record.get("eventSource") == "aws:sqs" for record in records
    )


def invocation_failure(error: ServiceError) -> DataActionFailed:
    """Report the failure and build what the invocation raises. Lambda counts every raised invocation in
    its Errors metric; a caller's mistake (and only that: a Genesys 429 is a fault) is also counted as
    rejected, so that the alarms on Errors can leave it out."""
    report_failure(error)
    if error.is_caller_error:
        record_rejected_invocation()
    return DataActionFailed(error)
