"""CustomerParticipantCache: a remembered `customer` resolution expires after its TTL (injected clock)."""

from __future__ import annotations

from participant_data.logic.customer_participants import CustomerParticipantCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_resolution_is_kept_until_its_ttl_runs_out() -> None:
    clock = Clock()
    customers = CustomerParticipantCache(10, ttl_seconds=30.0, clock=clock)
    customers.remember("c1", "p1")

    clock.now += 29.9
    assert customers.get("c1") == "p1"
    clock.now += 0.1
    assert customers.get("c1") is None
    clock.now -= 1.0  # once expired, it stays forgotten
    assert customers.get("c1") is None


def test_the_ttl_counts_from_when_it_was_resolved_not_from_the_last_use() -> None:
    clock = Clock()
    customers = CustomerParticipantCache(10, ttl_seconds=30.0, clock=clock)
    customers.remember("c1", "p1")
    for _ in range(5):
        clock.now += 5.0
        assert customers.get("c1") == "p1"

    clock.now += 5.0

    assert customers.get("c1") is None


def test_remembering_again_starts_a_new_ttl_and_each_conversation_has_its_own() -> None:
    clock = Clock()
    customers = CustomerParticipantCache(10, ttl_seconds=30.0, clock=clock)
    customers.remember("c1", "p1")
    clock.now += 20.0
    customers.remember("c1", "p2")
    customers.remember("c2", "q1")
    clock.now += 20.0

    assert (customers.get("c1"), customers.get("c2")) == ("p2", "q1")


def test_without_a_ttl_only_the_lru_bound_and_forget_drop_an_entry() -> None:
    clock = Clock()
    customers = CustomerParticipantCache(2, clock=clock)
    customers.remember("c1", "p1")
    customers.remember("c2", "p2")
    clock.now += 10**9

    assert customers.get("c1") == "p1"
    customers.remember("c3", "p3")  # c2 is the least recently used
    customers.forget("c3")
    assert (customers.get("c1"), customers.get("c2"), customers.get("c3")) == ("p1", None, None)
