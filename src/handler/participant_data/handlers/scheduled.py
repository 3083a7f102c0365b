"""The scheduled EventBridge event: the health check."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data.container import dependencies
from participant_data.deadline import Deadline
from participant_data.errors import ServiceError
from participant_data.logic.health_check import Unhealthy, check_health
from participant_data.observability import record_health


def handle_scheduled_health_check(context: LambdaContext) -> dict[str, object]:
    try:
        deps = dependencies()
    except ServiceError as error:  # misconfigured: unhealthy too
        record_health(healthy=False)
        raise Unhealthy(f"{error.code}: {error.message}") from None
    deadline = Deadline.for_invocation(deps.settings, context.get_remaining_time_in_millis())
    return check_health(deadline, deps.genesys)
