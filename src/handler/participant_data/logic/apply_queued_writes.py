"""The outbox worker's use case: apply one batch of queued writes to Genesys, in order per participant.

Powertools' `SqsFifoPartialProcessor(skip_group_on_error=True)` runs the batch: a message that fails is
reported back to Lambda with the later messages of its group (so none overtakes it), while the other groups
go on (docs/genesys-facts.md#powertools-batch-fifo). Per message, in the order Lambda delivered them:

1. Not a queued write (malformed): dropped, never retried (it would block its group until the dead-letter
   queue). Older than OUTBOX_MAX_AGE_SECONDS: dropped as expired.
2. The conversation is read (`GenesysGateway.write_target`): ended, or the participant gone (for
   `customer`: no customer participant), drops the write; `customer` is resolved now, by the request
   side's rule.
3. The write, merged with the consecutive writes of its group that one PATCH carries with the same result
   (queued_batch.py), is applied with the gateway, within a deadline of its own.
4. Once a group's last message of the batch is applied or dropped, its pending mark is cleared unless a
   newer write was queued meanwhile (`clear_if_last`).

Failures: Genesys refusing the write itself (400, 413: a caller error) drops it, since no retry can fix it
(a merged write is first retried alone, so that merging never changes the outcome). Anything else (429,
5xx, timeouts, 403, misconfiguration) fails the message and the rest of its group: the queue delivers them
again after its visibility timeout, or after the Retry-After of a 429 (bounded), and after enough receives
moves them to the dead-letter queue. After a 429 the batch's other groups are not tried: Genesys's rate
limit is shared with the IVR path, which needs it more.

Delivered twice (a message whose deletion failed), a write is applied twice: the same keys and values, so
the same result, and its mark is already gone or belongs to a newer write. Logs name keys, never values
(unless LOG_ATTRIBUTE_VALUES).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn, Protocol

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from participant_data.deadline import Deadline
from participant_data.errors import NotFound, RateLimited, ServiceError
from participant_data.genesys.write_target import WriteTarget
from participant_data.logic.queued_batch import QueuedBatch, QueuedMessage, merged_attributes
from participant_data.models import CUSTOMER_ALIAS
from participant_data.observability import (
    logger,
    record_write_dropped,
    record_write_expired,
    record_writes_applied,
)
from participant_data.outbox.aws import OutboxUnavailable
from participant_data.outbox.messages import QueuedWrite
from participant_data.settings import Limits

# A 429's Retry-After is honoured within these bounds: at least a second (a zero would hand the message
# straight back), at most a quarter of an hour (Genesys asks for seconds; a larger value is likely wrong,
# and the message still comes back, later).
MIN_RETRY_DELAY_SECONDS = 1
MAX_RETRY_DELAY_SECONDS = 900


class DropReason(StrEnum):
    """Why a queued write will never be applied (the DropReason dimension of OutboxWritesDropped)."""

    MALFORMED = "malformed"
    CONVERSATION_ENDED = "conversation_ended"
    PARTICIPANT_GONE = "participant_gone"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    REJECTED = "rejected"  # Genesys refused the write itself (400, 413): retrying cannot fix it


class QueuedWriteGenesys(Protocol):
    """What the worker needs of Genesys (GenesysGateway provides it; unit tests provide fakes)."""

    def write_target(self, conversation_id: str, participant_id: str, deadline: Deadline) -> WriteTarget: ...

    def set_attributes(
        self, conversation_id: str, participant_id: str, attributes: Mapping[str, str], deadline: Deadline
    ) -> None: ...


class PendingMarkClearer(Protocol):
    def clear_if_last(self, group: str, request_id: str, deadline: Deadline | None = None) -> bool: ...


class MessageDelayer(Protocol):
    def delay(self, receipt_handles: Sequence[str], seconds: int, deadline: Deadline) -> int: ...


@dataclass(frozen=True, slots=True)
class WorkerPolicy:
    max_age_seconds: float  # OUTBOX_MAX_AGE_SECONDS
    limits: Limits  # what one merged PATCH may carry
    log_values: bool = False  # LOG_ATTRIBUTE_VALUES


def apply_queued_writes(
    event: dict[str, Any],
    genesys: QueuedWriteGenesys,
    marks: PendingMarkClearer,
    visibility: MessageDelayer,
    policy: WorkerPolicy,
    new_deadline: Callable[[], Deadline],
    clock: Callable[[], float] = time.time,
) -> PartialItemFailureResponse:
    """Process Lambda's SQS event; the answer lists the messages to deliver again (`batchItemFailures`).

    `new_deadline` gives each group's Genesys calls their own deadline (within the invocation's time);
    `clock` is epoch seconds, as the messages' `enqueuedAt`. When every message fails, Powertools raises
    BatchProcessingError instead, so the invocation counts in the worker's Errors metric."""
    batch = QueuedBatch(event.get("Records") or [])
    worker = _BatchWorker(batch, genesys, marks, visibility, policy, new_deadline, clock)
    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    return process_partial_response(event=event, record_handler=worker.handle, processor=processor)


class _BatchWorker:
    def __init__(
        self,
        batch: QueuedBatch,
        genesys: QueuedWriteGenesys,
        marks: PendingMarkClearer,
        visibility: MessageDelayer,
        policy: WorkerPolicy,
        new_deadline: Callable[[], Deadline],
        clock: Callable[[], float],
    ) -> None:
        self._batch = batch
        self._genesys = genesys
        self._marks = marks
        self._visibility = visibility
        self._policy = policy
        self._new_deadline = new_deadline
        self._clock = clock
        self._rate_limited: RateLimited | None = None  # a 429 earlier in this batch

    def handle(self, record: SQSRecord) -> None:
        """One message, called by Powertools in batch order (never for a message whose group failed)."""
        message = self._batch.message(record.message_id)
        if message.settled:
            return  # applied or dropped with an earlier message of its group
        if self._rate_limited is not None:
            self._postpone(message, self._rate_limited)
        if message.write is None:
            self._drop([message], DropReason.MALFORMED, problem=message.malformed_reason)
            return
        if self._is_expired(message.write):
            self._expire(message)
            return
        try:
            self._apply_or_drop(self._batch.mergeable_run(message, self._policy.limits, self._is_expired))
        except ServiceError as error:
            self._postpone(message, error)
        except Exception:
            # A bug: the message fails with its group (and reaches the dead-letter queue in the end).
            logger.exception("Queued write failed unexpectedly", extra=self._described([message]))
            raise

    def _apply_or_drop(self, run: list[QueuedMessage]) -> None:
        try:
            self._apply(run)
        except NotFound:  # the conversation, or the participant, is no longer there
            self._drop(run, DropReason.PARTICIPANT_GONE)
        except ServiceError as error:
            if not error.is_caller_error:
                raise
            if len(run) > 1:  # merging must never change the outcome: this write alone, the rest in turn
                self._apply_or_drop(run[:1])
                return
            self._drop(run, DropReason.REJECTED, problem=error.code)

    def _apply(self, run: list[QueuedMessage]) -> None:
        write = _write(run[0])
        deadline = self._new_deadline()
        target = self._genesys.write_target(write.conversation_id, write.participant_id, deadline)
        if target.conversation_ended:
            self._drop(run, DropReason.CONVERSATION_ENDED)
            return
        if target.participant_id is None:
            alias = write.participant_id == CUSTOMER_ALIAS
            self._drop(run, DropReason.CUSTOMER_NOT_FOUND if alias else DropReason.PARTICIPANT_GONE)
            return
        attributes = merged_attributes(run)
        self._genesys.set_attributes(write.conversation_id, target.participant_id, attributes, deadline)
        record_writes_applied(len(run))
        logged = self._described(run, participant=target.participant_id, keys=sorted(attributes))
        if self._policy.log_values:
            logged["attributes"] = attributes
        logger.info("Queued writes applied", extra=logged)
        self._settle(run)

    def _is_expired(self, write: QueuedWrite) -> bool:
        return self._clock() - write.enqueued_at > self._policy.max_age_seconds

    def _expire(self, message: QueuedMessage) -> None:
        record_write_expired()
        write = _write(message)
        age = round(self._clock() - write.enqueued_at, 1)
        logger.warning(
            "Queued write expired: dropped",
            extra={**self._described([message], keys=sorted(write.attributes)), "age_seconds": age},
        )
        self._settle([message])

    def _drop(self, run: list[QueuedMessage], reason: DropReason, problem: str | None = None) -> None:
        for _ in run:
            record_write_dropped(reason)
        keys = sorted({key for message in run if message.write for key in message.write.attributes})
        logged = self._described(run, keys=keys)
        logged["drop_reason"] = str(reason)
        if problem:
            logged["problem"] = problem  # a reason or an error code, never a value
        logger.warning("Queued writes dropped", extra=logged)
        self._settle(run)

    def _settle(self, run: list[QueuedMessage]) -> None:
        """Done with these messages; once the group's last one in the batch is done, clear its mark."""
        for message in run:
            message.settled = True
        last = run[-1]
        if not self._batch.is_last_of_group(last) or last.request_id is None:
            return
        try:
            self._marks.clear_if_last(last.group, last.request_id, self._new_deadline())
        except ServiceError as error:
            # The writes are done; the mark only delays the participant's next writes through the queue,
            # and expires by itself (its TTL) or is cleared after the next queued write.
            reason = error.reason if isinstance(error, OutboxUnavailable) else error.code
            logger.warning(
                "The pending mark could not be cleared", extra={"group": last.group, "reason": reason}
            )

    def _postpone(self, message: QueuedMessage, error: ServiceError) -> NoReturn:
        """Fail the message (and so, by skip_group_on_error, the rest of its group): raises `error`.
        A 429's Retry-After becomes the wait before the group's messages are delivered again."""
        group = self._batch.rest_of_group(message)
        delay: int | None = None
        if isinstance(error, RateLimited):
            self._rate_limited = error
            if error.retry_after is not None:
                delay = min(MAX_RETRY_DELAY_SECONDS, max(MIN_RETRY_DELAY_SECONDS, error.retry_after))
        if delay is not None:
            try:
                self._visibility.delay([m.receipt_handle for m in group], delay, self._new_deadline())
            except ServiceError:
                logger.warning("Could not shorten the wait before a retry: the queue's timeout applies")
        logger.warning(
            "Queued writes not applied: delivered again later",
            extra={
                **self._described(group),
                "error_code": error.code,
                "retry_in_seconds": delay,
                "receive_count": message.receive_count,
            },
        )
        raise error

    @staticmethod
    def _described(
        run: Sequence[QueuedMessage], participant: str | None = None, keys: list[str] | None = None
    ) -> dict[str, Any]:
        """What a log line says of some writes of one group: IDs and keys, never values."""
        first = run[0].write
        described: dict[str, Any] = {"group": run[0].group, "writes": len(run)}
        if first is not None:
            described["conversation_id"] = first.conversation_id
            described["participant_id"] = first.participant_id
        if participant is not None and (first is None or participant != first.participant_id):
            described["resolved_participant_id"] = participant
        if keys is not None:
            described["keys"] = keys
        described["request_ids"] = [m.request_id for m in run if m.request_id]
        return described


def _write(message: QueuedMessage) -> QueuedWrite:
    if message.write is None:  # callers check first; a guard for the type checker
        raise ValueError("not a queued write")
    return message.write
