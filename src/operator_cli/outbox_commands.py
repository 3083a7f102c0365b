"""The outbox's commands: `pending` (a participant's pending mark) and `backlog` (the queue's counts).

They read AWS only (the service's DynamoDB table and SQS queue, with the operator's AWS credentials), never
Genesys: no Genesys credentials are needed. Neither changes anything, and neither receives a message: a
receive would take it from the worker for its visibility timeout, so a participant's queued messages
themselves are not shown (participant_data/outbox/backlog.py).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from operator_cli.output import Printer
from operator_cli.session import check_aws_configuration, read_settings
from participant_data.deadline import Deadline
from participant_data.errors import ConfigurationError
from participant_data.models import CUSTOMER_ALIAS
from participant_data.observability import record_retry
from participant_data.outbox.aws import DeadlineBoundClient, OutboxUnavailable
from participant_data.outbox.backlog import OutboxBacklog, QueueCounts, read_backlog
from participant_data.outbox.marks import PendingMark, PendingMarks
from participant_data.outbox.messages import participant_group
from participant_data.settings import Settings
from participant_data.validation import valid_conversation_id, valid_participant_id

# The deployment's names of the outbox's queue and table (the function's variables).
OUTBOX_NAMES = ("OUTBOX_QUEUE_URL", "OUTBOX_TABLE_NAME")
# AWS error codes that say the table or queue named is not there, or not readable with these credentials.
_MISSING = ("ResourceNotFoundException", "NonExistentQueue", "QueueDoesNotExist")
_DENIED = ("AccessDenied", "UnrecognizedClient", "InvalidClientTokenId")
NOT_QUEUED_NOTE = (
    "SQS cannot list one participant's queued writes without taking them from the worker: they are not"
    " shown. `participant-data backlog` counts the whole queue."
)


@dataclass(frozen=True, slots=True)
class OutboxSession:
    settings: Settings
    deadline: Deadline

    def client(self, service: str) -> DeadlineBoundClient:
        """A client with the service's timeouts and retries, within the command's deadline."""
        return DeadlineBoundClient(
            service,
            connect_timeout_cap=self.settings.connect_timeout_seconds,
            attempt_timeout_cap=self.settings.attempt_timeout_seconds,
            max_attempts=self.settings.max_attempts,
            on_retry=record_retry,
        )


OutboxCommand = Callable[[OutboxSession, Printer], None]


def run_outbox_command(options: argparse.Namespace, environ: Mapping[str, str], printer: Printer) -> None:
    """Settings as the function reads them (timeouts, retries, the max age), except the outbox's names:
    the service wants both or neither, each command needs one, from its option or its variable."""
    settings = read_settings({name: value for name, value in environ.items() if name not in OUTBOX_NAMES})
    command = outbox_command_for(options, settings, environ)
    command(open_outbox_session(settings, options.timeout), printer)


def open_outbox_session(settings: Settings, timeout_seconds: float) -> OutboxSession:
    check_aws_configuration()
    return OutboxSession(settings, Deadline(timeout_seconds))


def outbox_command_for(
    options: argparse.Namespace, settings: Settings, environ: Mapping[str, str]
) -> OutboxCommand:
    """Validate the input and find the table or queue (raising what the command would answer)."""
    if options.command == "pending":
        conversation_id = valid_conversation_id(options.conversation_id)
        participant_id = valid_participant_id(options.participant_id)
        table = _named(options.table, environ, "OUTBOX_TABLE_NAME", "pending-mark table", "--table")
        return lambda session, printer: run_pending(table, conversation_id, participant_id, session, printer)
    queue_url = _named(options.queue_url, environ, "OUTBOX_QUEUE_URL", "queue", "--queue-url")
    return lambda session, printer: run_backlog(queue_url, session, printer)


def run_pending(
    table: str, conversation_id: str, participant_id: str, session: OutboxSession, printer: Printer
) -> None:
    """The participant's mark, as named; for a UUID also the conversation's `customer` mark, since a
    write queued for the alias may be for this participant too (the alias is resolved when applied)."""
    marks = PendingMarks(table, session.client("dynamodb"), session.settings.outbox_max_age_seconds)
    named = [participant_id] + ([CUSTOMER_ALIAS] if participant_id != CUSTOMER_ALIAS else [])
    now = time.time()
    found = {
        name: _aws(
            partial(marks.read, participant_group(conversation_id, name), session.deadline),
            f"the pending-mark table {table!r}",
        )
        for name in named
    }
    shown = [_mark_document(name, found[name], now) for name in named]
    document: dict[str, object] = {
        "conversationId": conversation_id,
        "participantId": participant_id,
        "pending": shown[0]["pending"],
        "marks": shown,
    }
    lines = [f"Conversation {conversation_id}:"] + [_mark_line(name, found[name], now) for name in named]
    printer.result(document, [*lines, NOT_QUEUED_NOTE])


def run_backlog(queue_url: str, session: OutboxSession, printer: Printer) -> None:
    backlog: OutboxBacklog = _aws(
        lambda: read_backlog(session.client("sqs"), queue_url, session.deadline), f"the queue {queue_url}"
    )
    document: dict[str, object] = {
        "queueUrl": queue_url,
        **_counts_document(backlog.queue),
        "deadLetter": None,
    }
    lines = [f"Outbox queue {queue_url} (approximate counts):", f"  {_counts_line(backlog.queue)}"]
    if backlog.dead_letter is not None and backlog.dead_letter_queue_url is not None:
        document["deadLetter"] = {
            "queueUrl": backlog.dead_letter_queue_url,
            **_counts_document(backlog.dead_letter),
        }
        total = backlog.dead_letter.waiting + backlog.dead_letter.in_flight
        lines.append(f"Dead-letter queue {backlog.dead_letter_queue_url}: {total} write(s)")
        if total:
            lines.append(
                "  They will not be applied without an operator (docs/operations.md, the outbox runbook)."
            )
    else:
        lines.append("The queue has no dead-letter queue (no redrive policy).")
    printer.result(document, lines)


def _named(option: str | None, environ: Mapping[str, str], variable: str, what: str, flag: str) -> str:
    name = (option or "").strip() or environ.get(variable, "").strip()
    if not name:
        raise ConfigurationError(f"No outbox {what}: set {variable} as the deployment does, or pass {flag}.")
    return name


def _aws[T](read: Callable[[], T], resource: str) -> T:
    """A missing or unreadable table or queue is a configuration problem (exit 6), said plainly; other
    failures stay what they are (outbox_unavailable, worth retrying)."""
    try:
        return read()
    except OutboxUnavailable as failure:
        if any(code in failure.reason for code in _MISSING):
            raise ConfigurationError(
                f"{resource[0].upper()}{resource[1:]} does not exist (in this AWS account and region)."
            ) from None
        if any(code in failure.reason for code in _DENIED):
            raise ConfigurationError(f"Your AWS credentials may not read {resource}.") from None
        raise


def _mark_document(participant_id: str, mark: PendingMark | None, now: float) -> dict[str, object]:
    if mark is None:
        return {"participantId": participant_id, "pending": False}
    return {
        "participantId": participant_id,
        "pending": mark.is_pending(now),
        "lastRequestId": mark.last_request_id,
        "expiresAt": _iso(mark.expires_at),
    }


def _mark_line(participant_id: str, mark: PendingMark | None, now: float) -> str:
    who = f"  participant {participant_id}:"
    if mark is None:
        return f"{who} no writes waiting in the outbox (no pending mark): its next write goes to Genesys now."
    if not mark.is_pending(now):
        return f"{who} no writes waiting (an expired mark is left; the service ignores it)."
    return (
        f"{who} writes are waiting in the outbox (the newest queued by request {mark.last_request_id});\n"
        "    its later writes queue behind them until the worker has applied them"
        f" (the mark expires by itself at {_iso(mark.expires_at)})."
    )


def _counts_document(counts: QueueCounts) -> dict[str, int]:
    return {"waiting": counts.waiting, "inFlight": counts.in_flight}


def _counts_line(counts: QueueCounts) -> str:
    return f"{counts.waiting} write(s) waiting, {counts.in_flight} being applied by the worker (in flight)"


def _iso(epoch_seconds: float | None) -> str | None:
    if epoch_seconds is None:
        return None
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
