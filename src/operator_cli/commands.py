"""The three commands: each validates with the service's rules, calls the service's use case or gateway,
and hands the printer a JSON document and the lines a person reads."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from operator_cli.output import Printer, quoted
from operator_cli.parser import UsageError
from operator_cli.session import Session
from participant_data.errors import ServiceError
from participant_data.logic.health_check import Unhealthy, check_health
from participant_data.logic.set_attributes import set_attributes
from participant_data.models import CUSTOMER_ALIAS, AttributeUpdate
from participant_data.settings import Settings
from participant_data.validation import update_from_event, valid_conversation_id, valid_participant_id

Command = Callable[[Session, Printer], None]


def command_for(options: argparse.Namespace, settings: Settings) -> Command:
    """Validate the command's input (raising what the service would answer), then return its runner."""
    if options.command == "set":
        update = validate_set(options.conversation_id, options.participant_id, options.pairs, settings)
        return lambda session, printer: run_set(update, session, printer)
    if options.command == "get":
        conversation_id, participant_id = validate_get(options.conversation_id, options.participant_id)
        return lambda session, printer: run_get(
            conversation_id, participant_id, options.keys, session, printer
        )
    return run_health


def validate_set(
    conversation_id: str, participant_id: str, pairs: Sequence[tuple[str, str]], settings: Settings
) -> AttributeUpdate:
    """What a direct invocation with these fields would be validated as, size limit included."""
    attributes: dict[str, str] = {}
    for key, value in pairs:
        if key in attributes:  # the service refuses a body that repeats a key, too
            raise UsageError(f"The key {quoted(key)} is given twice.")
        attributes[key] = value
    event = {"conversationId": conversation_id, "participantId": participant_id, "attributes": attributes}
    return update_from_event(event, settings.limits)


def validate_get(conversation_id: str, participant_id: str) -> tuple[str, str]:
    return valid_conversation_id(conversation_id), valid_participant_id(participant_id)


def run_set(update: AttributeUpdate, session: Session, printer: Printer) -> None:
    result = set_attributes(
        update, session.deadline, session.genesys, session.customers, session.settings.log_attribute_values
    )
    count = len(result.updated_keys)
    printer.result(
        result.to_dict(),
        [
            f"Set {count} attribute{'' if count == 1 else 's'} on participant"
            f" {_participant(result.participant_id, update.participant_id)} of conversation"
            f" {result.conversation_id}: {', '.join(result.updated_keys)}",
        ],
    )


def run_get(
    conversation_id: str, participant_id: str, keys: Sequence[str] | None, session: Session, printer: Printer
) -> None:
    found = session.genesys.participant_attributes(conversation_id, participant_id, session.deadline)
    attributes = dict(sorted(found.attributes.items()))
    missing: list[str] = []
    if keys:
        missing = [key for key in dict.fromkeys(keys) if key not in attributes]
        attributes = {key: attributes[key] for key in dict.fromkeys(keys) if key in attributes}
    document: dict[str, object] = {
        "conversationId": conversation_id,
        "participantId": found.participant_id,
        "attributes": attributes,
    }
    if keys:
        document["missingKeys"] = missing
    heading = (
        f"Participant {_participant(found.participant_id, participant_id)} of conversation {conversation_id}:"
    )
    lines = [heading] + [f"  {key} = {quoted(value)}" for key, value in attributes.items()]
    lines += [f"  {key} (not set)" for key in missing]
    if not attributes and not missing:
        lines.append("  (no attributes)")
    printer.result(document, lines)


def run_health(session: Session, printer: Printer) -> None:
    try:
        check_health(session.deadline, session.genesys)
    except Unhealthy as unhealthy:
        # The use case raises Unhealthy (for the function's Errors alarm) from the ServiceError.
        if isinstance(unhealthy.__cause__, ServiceError):
            raise unhealthy.__cause__ from None
        raise
    printer.result(
        {"healthy": True, "credentials": session.credentials_origin},
        [
            f"Healthy: credentials from {session.credentials_origin}, token obtained,"
            " the role may read conversations (a made-up conversation's read answered 404)."
        ],
    )


def _participant(resolved: str, asked: str) -> str:
    return f"{resolved} ({CUSTOMER_ALIAS})" if asked == CUSTOMER_ALIAS else resolved
