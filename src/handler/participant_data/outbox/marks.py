"""The pending-mark table (DynamoDB): which participants have writes waiting in the outbox queue.

One item per participant group (`pk`, as in messages.participant_group) with `lastRequestId`, the request
id of the newest queued write, and `expiresAt` (epoch seconds), the table's TTL attribute. DynamoDB deletes
expired items only eventually (typically within days: docs/genesys-facts.md#dynamodb-ttl), so an item past
its `expiresAt` counts as absent here; a mark whose writes were lost thus heals itself.

The mark outlives its newest write: the worker drops writes older than OUTBOX_MAX_AGE_SECONDS, and the mark
expires MARK_TTL_MARGIN_SECONDS after that, the time a worker may still be applying the write.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from participant_data.deadline import Deadline
from participant_data.observability import tracer
from participant_data.outbox.aws import DeadlineBoundClient

MARK_TTL_MARGIN_SECONDS = 300.0
PARTITION_KEY = "pk"
LAST_REQUEST_ID = "lastRequestId"
EXPIRES_AT = "expiresAt"
CONDITION_FAILED = "ConditionalCheckFailedException"


@dataclass(frozen=True, slots=True)
class PendingMark:
    """A participant group's mark as stored (the operator command shows it)."""

    group: str
    last_request_id: str | None
    expires_at: float | None  # epoch seconds; None: unreadable (counted as pending, as is_pending does)

    def is_pending(self, now: float) -> bool:
        return self.expires_at is None or self.expires_at > now


class PendingMarks:
    def __init__(
        self,
        table_name: str,
        client: DeadlineBoundClient,
        max_age_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._max_age = max_age_seconds
        self._clock = clock

    @tracer.capture_method(capture_response=False)
    def is_pending(self, group: str, deadline: Deadline) -> bool:
        """Whether the group has queued writes: one strongly consistent read, one attempt (on the hot
        path, a failure is better answered by writing to Genesys than by spending the budget on retries);
        raises OutboxUnavailable."""
        answer = self._client.call(
            deadline,
            lambda dynamodb: dynamodb.get_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": group}},
                ConsistentRead=True,
                ProjectionExpression=EXPIRES_AT,
            ),
            retry=False,
        )
        item = answer.get("Item")
        if item is None:
            return False
        try:
            expires_at = float(item[EXPIRES_AT]["N"])
        except (KeyError, TypeError, ValueError):
            return True  # a mark without a readable expiry: keep the order, the worker clears it
        return expires_at > self._clock()

    @tracer.capture_method(capture_response=False)
    def mark(self, group: str, request_id: str, deadline: Deadline) -> None:
        """Record that `request_id` is the group's newest queued write; raises OutboxUnavailable."""
        expires_at = math.ceil(self._clock() + self._max_age + MARK_TTL_MARGIN_SECONDS)
        self._client.call(
            deadline,
            lambda dynamodb: dynamodb.put_item(
                TableName=self.table_name,
                Item={
                    PARTITION_KEY: {"S": group},
                    LAST_REQUEST_ID: {"S": request_id},
                    EXPIRES_AT: {"N": str(expires_at)},
                },
            ),
        )

    @tracer.capture_method(capture_response=False)
    def clear_if_last(self, group: str, request_id: str, deadline: Deadline | None = None) -> bool:
        """Remove the group's mark if `request_id` is still its newest queued write (True); False when a
        newer write was queued meanwhile (its mark stays) or there is no mark. Without a deadline, the
        call gets the time of all its attempts. Raises OutboxUnavailable."""

        def delete_if_last(dynamodb: Any) -> bool:
            try:
                dynamodb.delete_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": group}},
                    ConditionExpression="#last = :request_id",
                    ExpressionAttributeNames={"#last": LAST_REQUEST_ID},
                    ExpressionAttributeValues={":request_id": {"S": request_id}},
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == CONDITION_FAILED:
                    return False
                raise
            return True

        return self._client.call(deadline or Deadline(self._client.full_call_seconds), delete_if_last)

    @tracer.capture_method(capture_response=False)
    def read(self, group: str, deadline: Deadline) -> PendingMark | None:
        """The group's mark as stored, expired or not (None: no item); raises OutboxUnavailable."""
        answer = self._client.call(
            deadline,
            lambda dynamodb: dynamodb.get_item(
                TableName=self.table_name, Key={PARTITION_KEY: {"S": group}}, ConsistentRead=True
            ),
        )
        item = answer.get("Item")
        if item is None:
            return None
        last = item.get(LAST_REQUEST_ID, {}).get("S")
        try:
            expires_at: float | None = float(item[EXPIRES_AT]["N"])
        except (KeyError, TypeError, ValueError):
            expires_at = None
        return PendingMark(group, last, expires_at)

    def forget(self) -> None:
        self._client.forget()
