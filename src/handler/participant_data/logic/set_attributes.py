"""The main use case: merge the requested attributes into a participant's data, now or via the outbox."""

from __future__ import annotations

from participant_data.deadline import Deadline
from participant_data.errors import CustomerNotFound, NotFound
from participant_data.logic.customer_participants import CustomerParticipantCache
from participant_data.logic.outbox_routing import write_or_queue
from participant_data.logic.ports import GenesysPort, OutboxPort
from participant_data.models import AttributeUpdate, UpdateResult
from participant_data.observability import attribute_fields, logger, record_update


def set_attributes(
    update: AttributeUpdate,
    deadline: Deadline,
    genesys: GenesysPort,
    customers: CustomerParticipantCache,
    log_values: bool = False,
    outbox: OutboxPort | None = None,
    request_id: str = "",
) -> UpdateResult:
    """One PATCH with only the requested keys (never read-modify-write: that would lose keys concurrent
    writers set). The `customer` alias costs one extra GET per conversation per warm container, again
    once the remembered resolution expires (a transfer or callback can bring a new customer participant).

    With an `outbox` (and unless the request opted out), a write Genesys cannot take within the budget is
    queued instead (logic/outbox_routing.py); `request_id` identifies the invocation's write there.
    Without one, nothing else happens: no extra call, no extra work.

    Keys are logged; values are caller data, logged only when `log_values` (LOG_ATTRIBUTE_VALUES) is on.
    """
    if outbox is None or not update.queue_if_unavailable:
        return _write_now(update, deadline, genesys, customers, log_values)
    return write_or_queue(
        update,
        deadline,
        outbox,
        request_id,
        lambda genesys_deadline: _write_now(update, genesys_deadline, genesys, customers, log_values),
        log_values,
    )


def _write_now(
    update: AttributeUpdate,
    deadline: Deadline,
    genesys: GenesysPort,
    customers: CustomerParticipantCache,
    log_values: bool,
) -> UpdateResult:
    participant_id = _resolve_participant(update, deadline, genesys, customers)
    try:
        genesys.set_attributes(update.conversation_id, participant_id, update.attributes, deadline)
    except NotFound:
        customers.forget(update.conversation_id)  # a remembered resolution may be stale
        raise
    record_update(len(update.attributes))
    logged = {"participant_id": participant_id, **attribute_fields(update.attributes, log_values)}
    logger.info("Participant attributes set", extra=logged)
    return UpdateResult(update.conversation_id, participant_id, tuple(update.attributes))


def _resolve_participant(
    update: AttributeUpdate, deadline: Deadline, genesys: GenesysPort, customers: CustomerParticipantCache
) -> str:
    if not update.names_customer:
        return update.participant_id
    participant_id = customers.get(update.conversation_id)
    if participant_id is None:
        participant_id = genesys.customer_participant_id(update.conversation_id, deadline)
        if participant_id is None:
            raise CustomerNotFound()
        customers.remember(update.conversation_id, participant_id)
    return participant_id
