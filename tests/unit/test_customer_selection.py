"""The rule behind the `customer` alias, on Genesys-shaped JSON deserialised by the real SDK."""

from __future__ import annotations

import json
from typing import Any

import pytest

from participant_data.genesys.customer_selection import MEDIA_LISTS, choose_customer, is_still_on
from participant_data.genesys.sdk import ApiClient

EARLY, MIDDLE, LATE = "2026-01-30T09:00:00.000Z", "2026-01-30T09:05:00.000Z", "2026-01-30T09:10:00.000Z"


class _Answer:
    """What `ApiClient.deserialize` reads of an HTTP answer."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.data = json.dumps(document)

    def getheader(self, name: str) -> str | None:
        return "application/json" if name == "Content-Type" else None


def participants(*documents: dict[str, Any]) -> list[Any]:
    """The SDK's `Participant` models of a `GET /api/v2/conversations/{id}` answer with these participants."""
    conversation = {"id": "c", "startTime": EARLY, "participants": list(documents)}
    return list(
        ApiClient(host="http://127.0.0.1").deserialize(_Answer(conversation), "Conversation").participants
    )


def customer(pid: str, *, state: str = "connected", **times: str) -> dict[str, Any]:
    """A customer with one call in `state`; `times`: the participant's startTime, connectedTime, endTime."""
    return {
        "id": pid,
        "purpose": "customer",
        "startTime": times.pop("startTime", EARLY),
        **times,
        "calls": [{"state": state}],
    }


def chosen(*documents: dict[str, Any]) -> str | None:
    found = choose_customer(participants(*documents))
    return None if found is None else str(found.id)


def test_a_single_customer_is_chosen_and_other_purposes_are_not() -> None:
    assert chosen({"id": "ivr", "purpose": "ivr", "startTime": EARLY}, customer("only")) == "only"
    assert chosen({"id": "agent", "purpose": "agent", "startTime": EARLY}) is None
    assert choose_customer(None) is None


def test_the_customer_still_on_the_call_wins_over_one_that_left_first_in_the_list() -> None:
    left = customer("left", state="disconnected", connectedTime=LATE, endTime=LATE)
    on = customer("on", connectedTime=EARLY)

    assert chosen(left, on) == "on"


def test_a_participant_with_end_time_has_left_whatever_its_call_state() -> None:
    ended = customer("ended", state="connected", connectedTime=LATE, endTime=LATE)

    assert chosen(ended, customer("on", connectedTime=EARLY)) == "on"


@pytest.mark.parametrize("state", ["disconnected", "terminated", "TERMINATED"])
def test_a_customer_whose_communications_are_all_over_has_left(state: str) -> None:
    (over,) = participants(customer("over", state=state))

    assert not is_still_on(over)


@pytest.mark.parametrize("state", ["alerting", "dialing", "contacting", "offering", "connected", "none"])
def test_a_customer_with_a_communication_not_over_is_still_on(state: str) -> None:
    (on,) = participants(customer("on", state=state))

    assert is_still_on(on)


def test_one_live_communication_among_ended_ones_keeps_a_customer_on_and_every_media_list_counts() -> None:
    mixed = {
        "id": "mixed",
        "purpose": "customer",
        "startTime": EARLY,
        "calls": [{"state": "disconnected"}],
        "callbacks": [{"state": "connected"}],
    }
    (on,) = participants(mixed)
    (no_media,) = participants({"id": "bare", "purpose": "customer", "startTime": EARLY})
    wire_names = {"social_expressions": "socialExpressions"}
    for media in MEDIA_LISTS:  # each list the rule reads is one the SDK fills from Genesys's JSON
        (only_this,) = participants(
            {
                "id": "m",
                "purpose": "customer",
                "startTime": EARLY,
                wire_names.get(media, media): [{"state": "disconnected"}],  # every media's enum has it
            }
        )
        assert not is_still_on(only_this), media

    assert is_still_on(on)
    assert is_still_on(no_media)  # nothing says it left


def test_among_customers_still_on_the_most_recently_connected_wins() -> None:
    first = customer("first", connectedTime=EARLY)
    newest = customer("newest", connectedTime=LATE)
    middle = customer("middle", connectedTime=MIDDLE)

    assert chosen(first, newest, middle) == "newest"


def test_connected_time_falls_back_to_the_calls_then_to_the_start_time() -> None:
    by_call = {
        "id": "by-call",
        "purpose": "customer",
        "startTime": EARLY,
        "calls": [{"state": "connected", "connectedTime": LATE}],
    }
    by_start = customer("by-start", state="alerting", startTime=MIDDLE)

    assert chosen(by_start, by_call) == "by-call"
    assert chosen(customer("early", state="alerting"), by_start) == "by-start"


def test_when_every_customer_has_left_the_one_seen_last_is_chosen() -> None:
    left_last = customer("left-last", state="disconnected", connectedTime=EARLY, endTime=LATE)
    left_first = customer("left-first", state="disconnected", connectedTime=MIDDLE, endTime=MIDDLE)
    never_connected = customer("never", state="terminated", startTime=MIDDLE)

    assert chosen(left_first, left_last, never_connected) == "left-last"
    assert chosen(never_connected, left_first) == "never"  # both last seen at MIDDLE: the first listed


def test_ties_go_to_the_first_listed() -> None:
    assert chosen(customer("a", connectedTime=MIDDLE), customer("b", connectedTime=MIDDLE)) == "a"
    assert chosen(customer("a", state="alerting"), customer("b", state="alerting")) == "a"
