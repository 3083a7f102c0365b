"""How much the outbox holds, as SQS approximates it: the queue's waiting and in-flight messages, and its
dead-letter queue's. For the operator command; the dashboard charts the same from CloudWatch.

SQS cannot list one participant's messages without receiving them, which would take them from the worker
for their visibility timeout: only these counts can be read without disturbing the outbox
(docs/genesys-facts.md#sqs-fifo-group-in-flight).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from participant_data.deadline import Deadline
from participant_data.outbox.aws import DeadlineBoundClient

COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")


@dataclass(frozen=True, slots=True)
class QueueCounts:
    waiting: int  # visible: not yet received (or back after a failure)
    in_flight: int  # received by the worker, neither deleted nor back yet


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    queue_url: str
    queue: QueueCounts
    dead_letter_queue_url: str | None  # None: the queue has no redrive policy
    dead_letter: QueueCounts | None


def read_backlog(sqs: DeadlineBoundClient, queue_url: str, deadline: Deadline) -> OutboxBacklog:
    """Raises OutboxUnavailable when SQS cannot answer (or the queue does not exist)."""
    attributes = _attributes(sqs, queue_url, [*COUNTS, "RedrivePolicy"], deadline)
    dead_letter_url = _dead_letter_queue_url(sqs, attributes.get("RedrivePolicy"), deadline)
    dead_letter = (
        _counts(_attributes(sqs, dead_letter_url, list(COUNTS), deadline)) if dead_letter_url else None
    )
    return OutboxBacklog(queue_url, _counts(attributes), dead_letter_url, dead_letter)


def _attributes(sqs: DeadlineBoundClient, queue_url: str, names: list[str], deadline: Deadline) -> Any:
    answer = sqs.call(
        deadline, lambda client: client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)
    )
    return answer.get("Attributes", {})


def _counts(attributes: Any) -> QueueCounts:
    return QueueCounts(int(attributes.get(COUNTS[0], 0)), int(attributes.get(COUNTS[1], 0)))


def _dead_letter_queue_url(
    sqs: DeadlineBoundClient, redrive_policy: str | None, deadline: Deadline
) -> str | None:
    """The dead-letter queue's URL from the redrive policy's ARN (arn:aws:sqs:region:account:name)."""
    if not redrive_policy:
        return None
    try:
        arn = str(json.loads(redrive_policy)["deadLetterTargetArn"])
        _, _, _, _, account, name = arn.split(":", 5)
    except (ValueError, KeyError, TypeError):
        return None
    answer = sqs.call(
        deadline, lambda client: client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
    )
    url: str = answer["QueueUrl"]
    return url
