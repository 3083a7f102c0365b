"""Direct invocation by Genesys's AWS Lambda data actions integration.

Only a raised error takes the data action's Failure path; a returned error object would count as success
(genesys-api-notes.md, "Data actions"). So failures raise DataActionFailed, whose message carries the
status, the code and the human message, and nothing internal.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import dependencies
from participant_data.deadline import Deadline
from participant_data.errors import ServiceError
from participant_data.handlers.failures import report_failure
from participant_data.logic.set_attributes import set_attributes
from participant_data.observability import logger, record_rejected_invocation
from participant_data.validation import update_from_event


class DataActionFailed(Exception):
    def __init__(self, error: ServiceError) -> None:
        super().__init__(f"{error.status} {error.code}: {error.message}")
        self.status = error.status
        self.code = error.code


def handle_direct_invocation(event: object, context: LambdaContext) -> dict[str, object]:
    try:
        deps = dependencies()
        update = update_from_event(event, deps.settings.limits)
        logger.append_keys(conversation_id=update.conversation_id)
        deadline = Deadline.for_invocation(deps.settings, context.get_remaining_time_in_millis())
        return set_attributes(
            update, deadline, deps.genesys, deps.customers, deps.settings.log_attribute_values
        ).to_dict()
    except ServiceError as error:
        raise invocation_failure(error) from None


def invocation_failure(error: ServiceError) -> DataActionFailed:
    """Report the failure and build what the invocation raises. Lambda counts every raised invocation in
    its Errors metric; a caller's mistake (and only that: a Genesys 429 is a fault) is also counted as
    rejected, so that the alarms on Errors can leave it out."""
    report_failure(error)
    if error.is_caller_error:
        record_rejected_invocation()
    return DataActionFailed(error)
