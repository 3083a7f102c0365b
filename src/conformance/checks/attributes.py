"""Reading the user's conversation and writing its participant's data: what a PATCH answers, when its
write shows, merge per key, and what ``""`` does. Every key written starts with ``conformance_``."""

from __future__ import annotations

from typing import Any

from conformance.checks.model import Check, Outcome, answer_time
from conformance.plan import ATTRIBUTES_PATH, CONVERSATION_PATH, MAX_READS, PlannedRequest
from conformance.session import Poll, Session

ACCEPTED_KEY = "conformance_accepted"
VISIBLE_KEY = "conformance_visible"
MERGE_KEYS = ("conformance_merge_a", "conformance_merge_b")
EMPTY_KEY = "conformance_empty"

READ_CONVERSATION = PlannedRequest("GET", "api", CONVERSATION_PATH, "the conversation of your test call")
READ_UNTIL_SHOWN = PlannedRequest(
    "GET", "api", CONVERSATION_PATH, "reads the participant's data until the write shows", MAX_READS
)
READ_UNTIL_EACH_SHOWN = PlannedRequest(
    "GET", "api", CONVERSATION_PATH, "reads the participant's data until each write shows", 2 * MAX_READS
)


def _patch(sends: str, times: int = 1) -> PlannedRequest:
    return PlannedRequest("PATCH", "api", ATTRIBUTES_PATH, f"sends {sends}", times)


PATCH_ACCEPTED = _patch(f'{{"{ACCEPTED_KEY}": "<run id>"}}')
PATCH_VISIBLE = _patch(f'{{"{VISIBLE_KEY}": "<run id>"}}')
PATCH_MERGE = _patch(f'{{"{MERGE_KEYS[0]}", "{MERGE_KEYS[1]}"}}, then only {{"{MERGE_KEYS[1]}"}}', times=2)
PATCH_EMPTY = _patch(f'{{"{EMPTY_KEY}": "<run id>"}}, then {{"{EMPTY_KEY}": ""}}', times=2)


def _poll_timings(poll: Poll) -> dict[str, float | int]:
    return {"reads": poll.reads, "seconds_until_shown": round(poll.seconds, 3)}


def _read_conversation(session: Session) -> Outcome:
    exchange = session.api(READ_CONVERSATION)
    body = exchange.json_object or {}
    listed = body.get("participants")
    participants: list[Any] = listed if isinstance(listed, list) else []
    ours = [p for p in participants if isinstance(p, dict) and p.get("id") == session.ids.participant]
    attributes = ours[0].get("attributes") if ours else None
    return Outcome(
        findings={
            "status": exchange.status,
            "content_type": exchange.media_type,
            "participant_listed": bool(ours),
            "attributes_are_strings": isinstance(attributes, dict)
            and all(isinstance(value, str) for value in attributes.values()),
        },
        expected={
            "status": (200,),
            "content_type": ("application/json",),
            "participant_listed": (True,),
            "attributes_are_strings": (True,),
        },
        timings=answer_time(exchange),
        notes=[f"{len(participants)} participants listed"],
    )


def _patch_accepted(session: Session) -> Outcome:
    exchange = session.api(PATCH_ACCEPTED, {ACCEPTED_KEY: session.run_id})
    size = len(exchange.answer.body)
    return Outcome(
        findings={
            "status": exchange.status,
            "body": "empty" if size == 0 else f"{size} bytes",
            "content_type": exchange.media_type,
        },
        expected={"status": (202,), "body": ("empty",)},
        timings=answer_time(exchange),
    )


def _patch_visible(session: Session) -> Outcome:
    value = f"{session.run_id}-visible"
    exchange = session.api(PATCH_VISIBLE, {VISIBLE_KEY: value})
    poll = session.read_participant(READ_UNTIL_SHOWN, lambda attributes: attributes.get(VISIBLE_KEY) == value)
    shown = f"shown by read {poll.reads}, {poll.seconds:.3f} s after the PATCH's answer"
    return Outcome(
        findings={"status": exchange.status, f"shown_within_{MAX_READS}_reads": poll.satisfied},
        expected={"status": (202,), f"shown_within_{MAX_READS}_reads": (True,)},
        timings=_poll_timings(poll),
        notes=[shown if poll.satisfied else f"not shown after {poll.reads} reads ({poll.seconds:.3f} s)"],
    )


def _merge_per_key(session: Session) -> Outcome:
    first_key, second_key = MERGE_KEYS
    first = {first_key: f"{session.run_id}-a1", second_key: f"{session.run_id}-b1"}
    second = {second_key: f"{session.run_id}-b2"}
    first_exchange = session.api(PATCH_MERGE, first)
    before = session.read_participant(
        READ_UNTIL_EACH_SHOWN, lambda a: all(a.get(k) == v for k, v in first.items())
    )
    second_exchange = session.api(PATCH_MERGE, second)
    after = session.read_participant(READ_UNTIL_EACH_SHOWN, lambda a: a.get(second_key) == second[second_key])
    others = [key for key in (before.attributes or {}) if key not in first]
    final = after.attributes or {}
    return Outcome(
        findings={
            "first_status": first_exchange.status,
            "second_status": second_exchange.status,
            "sent_key_updated": after.satisfied,
            "key_not_sent_kept": final.get(first_key) == first[first_key],
            "other_keys_kept": after.satisfied and all(key in final for key in others),
        },
        expected={
            "first_status": (202,),
            "second_status": (202,),
            "sent_key_updated": (True,),
            "key_not_sent_kept": (True,),
            "other_keys_kept": (True,),
        },
        timings={"reads": before.reads + after.reads, "seconds_until_shown": round(after.seconds, 3)},
        notes=[f"{len(others)} other keys were on the participant before the second PATCH"],
    )


def _empty_string(session: Session) -> Outcome:
    value = f"{session.run_id}-empty"
    session.api(PATCH_EMPTY, {EMPTY_KEY: value})
    shown = session.read_participant(READ_UNTIL_EACH_SHOWN, lambda a: a.get(EMPTY_KEY) == value)
    exchange = session.api(PATCH_EMPTY, {EMPTY_KEY: ""})
    after = session.read_participant(READ_UNTIL_EACH_SHOWN, lambda a: a.get(EMPTY_KEY) != value)
    final = after.attributes or {}
    if not shown.satisfied or not after.satisfied:
        result = "not observed"
    elif EMPTY_KEY not in final:
        result = "key removed"
    else:
        result = 'kept as ""' if final[EMPTY_KEY] == "" else "replaced by another value"
    return Outcome(
        findings={"status": exchange.status, "empty_string": result},
        expected={"status": (202,), "empty_string": ('kept as ""',)},
        timings=_poll_timings(after),
    )


ATTRIBUTE_CHECKS = (
    Check(
        id="get-conversation",
        behaviour="`GET /api/v2/conversations/{id}` lists the participant with its data.",
        assumption="200; `participants[]` holds the participant by `id`, its `attributes` a map of strings.",
        anchors=("get-conversation",),
        plan=(READ_CONVERSATION,),
        run=_read_conversation,
    ),
    Check(
        id="patch-accepted",
        behaviour="The attributes PATCH answers success with no body.",
        assumption="202 Accepted with an empty body.",
        anchors=("participant-attributes-patch",),
        plan=(PATCH_ACCEPTED,),
        run=_patch_accepted,
    ),
    Check(
        id="patch-visible",
        behaviour="A PATCH's write shows in `GET /api/v2/conversations/{id}` soon after its 202.",
        assumption=f"The write is applied after the answer; it shows within {MAX_READS} reads (the delay is "
        "reported).",
        anchors=("participant-attributes-patch",),
        plan=(PATCH_VISIBLE, READ_UNTIL_SHOWN),
        run=_patch_visible,
    ),
    Check(
        id="patch-merges-per-key",
        behaviour="The attributes PATCH merges per key and keeps the keys it was not sent.",
        assumption="A second PATCH with one key changes that key only; the first PATCH's other key and every "
        "key set before stay as they were.",
        anchors=("merge-vs-replace",),
        plan=(PATCH_MERGE, READ_UNTIL_EACH_SHOWN),
        run=_merge_per_key,
    ),
    Check(
        id="patch-empty-string",
        behaviour='A PATCH setting a key to `""` is accepted and stored.',
        assumption='202; the key then reads as `""` (the emulator keeps it: whether Genesys removes it '
        "instead is unconfirmed, and observed here).",
        anchors=("merge-vs-replace",),
        plan=(PATCH_EMPTY, READ_UNTIL_EACH_SHOWN),
        run=_empty_string,
    ),
)
