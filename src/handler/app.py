"""The Lambda entry point: recognises the kind of event and hands it to its handler.

- API Gateway REST API (v1) and HTTP API (v2) proxy events: the attributes PATCH route;
- a scheduled EventBridge event: the health check;
- anything else: a direct invocation by Genesys's AWS Lambda data actions integration.

`queue_worker` is the outbox worker's entry point (a second function, same package): SQS batches only.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from participant_data import snapstart  # noqa: F401 - registers the SnapStart runtime hooks
from participant_data.container import dependencies
from participant_data.errors import ConfigurationError
from participant_data.handlers.api_gateway import handle_http_api, handle_rest_api
from participant_data.handlers.direct_invocation import handle_direct_invocation
from participant_data.handlers.queue_worker import handle_queue_batch
from participant_data.handlers.scheduled import handle_scheduled_health_check
from participant_data.observability import logger, metrics, tracer

try:  # Build the long-lived objects during init, where Lambda gives full CPU; a bad config fails per request.
    dependencies()
except ConfigurationError:
    logger.warning("Not configured yet: every request will answer service_misconfigured")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, dict):  # any JSON can be invoked directly: a list, a string, null
        return handle_direct_invocation(event, context)
    # API Gateway's events always carry a requestContext object; a direct event with stray fields does not.
    if "httpMethod" in event and isinstance(event.get("requestContext"), dict):
        return handle_rest_api(event, context)
    if (
        event.get("version") == "2.0"
        and "routeKey" in event
        and isinstance(event.get("requestContext"), dict)
    ):
        return handle_http_api(event, context)
    if event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event":
        return handle_scheduled_health_check(context)
    return handle_direct_invocation(event, context)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def queue_worker(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The outbox's SQS FIFO batches: apply the queued writes, report the failed ones back to SQS."""
    return handle_queue_batch(event, context)
