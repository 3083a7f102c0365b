"""The request side of the outbox: whether a write goes to Genesys now or waits in the outbox queue.

- A participant with queued writes (a pending mark) gets its later writes queued behind them, so an older
  queued value never overwrites a newer one written through the service. If the mark cannot be read,
  the write goes to Genesys now (OutboxMarkReadFailures counts it): the table must not become a new way
  for a caller to fail, at the price of that write's order.
- Otherwise the write goes to Genesys within the budget less OUTBOX_RESERVE_SECONDS. If Genesys cannot take
  it in time for a reason time may fix (ServiceError.retryable: a 429, 5xx or connection failures, a
  timeout), it is marked then queued, and the caller is answered `queued`. Never for the caller's own
  mistakes, a permission or credential problem, or a misconfiguration: retrying later would fail alike.
- Marking comes before sending: a mark without its message costs later writes a detour through the queue
  (the worker clears the mark after applying them), while a message without its mark would let a later
  write overtake it. If either fails (OutboxStoreFailures), the caller gets what it would get without an
  outbox: the Genesys failure; and a write that was to queue behind pending ones is written to Genesys
  now, possibly overtaking them: the outbox must not become a new way for a caller to fail.

A request that opted out (`queueIfUnavailable: false`) never reaches this module: it is written now, even
while writes of its participant are queued (its flow asked to know the write happened).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from participant_data.deadline import Deadline
from participant_data.errors import ServiceError
from participant_data.logic.ports import OutboxPort
from participant_data.models import AttributeUpdate, UpdateResult
from participant_data.observability import (
    attribute_fields,
    logger,
    record_mark_read_failure,
    record_outbox_store_failure,
    record_write_queued,
)
from participant_data.outbox.aws import OutboxUnavailable
from participant_data.outbox.messages import QueuedWrite, participant_group

# `queued_because` of a write queued behind earlier ones of its participant.
PENDING = "pending"


def write_or_queue(
    update: AttributeUpdate,
    deadline: Deadline,
    outbox: OutboxPort,
    request_id: str,
    write_now: Callable[[Deadline], UpdateResult],
    log_values: bool = False,
) -> UpdateResult:
    """The update written by `write_now` within the budget less the reserve, or queued in the outbox."""
    if _is_pending(outbox, participant_group(update.conversation_id, update.participant_id), deadline):
        try:
            _store(update, request_id, deadline, outbox)
        except OutboxUnavailable:
            return write_now(deadline)  # as without an outbox: this write may overtake the queued ones
        return _queued(update, PENDING, log_values)
    try:
        return write_now(deadline.reserving(outbox.reserve_seconds))
    except ServiceError as error:
        if not error.retryable:
            raise
        try:
            _store(update, request_id, deadline, outbox)
        except OutboxUnavailable:
            raise error from None
        return _queued(update, error.code, log_values)


def _is_pending(outbox: OutboxPort, group: str, deadline: Deadline) -> bool:
    try:
        return outbox.marks.is_pending(group, deadline)
    except OutboxUnavailable as failure:
        record_mark_read_failure(failure.reason)
        return False


def _store(update: AttributeUpdate, request_id: str, deadline: Deadline, outbox: OutboxPort) -> None:
    """Mark, then send; raises OutboxUnavailable (counted) if either fails."""
    write = QueuedWrite(
        update.conversation_id, update.participant_id, dict(update.attributes), time.time(), request_id
    )
    try:
        outbox.marks.mark(write.group, request_id, deadline)
        outbox.queue.send(write, deadline)
    except OutboxUnavailable as failure:
        record_outbox_store_failure(failure.reason)
        raise


def _queued(update: AttributeUpdate, reason: str, log_values: bool) -> UpdateResult:
    """The answer for a queued write: the participant as named (an alias is resolved when applied)."""
    record_write_queued()
    logged = {
        "participant_id": update.participant_id,
        "queued_because": reason,
        **attribute_fields(update.attributes, log_values),
    }
    logger.warning("Participant attributes queued in the outbox", extra=logged)
    return UpdateResult(update.conversation_id, update.participant_id, tuple(update.attributes), queued=True)
