"""Each difference between a real org's answers and the emulator's is listed with whose bug it is."""

from __future__ import annotations

from typing import Any

from conformance.compare import EMULATOR_BUG, READING_BUG, compare


def _report(*checks: dict[str, Any]) -> dict[str, Any]:
    return {"checks": list(checks)}


def _check(
    check_id: str, findings: dict[str, Any] | None, expected: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    return {
        "id": check_id,
        "findings": findings,
        "expected": expected or {},
        "facts": ["docs/genesys-facts.md#merge-vs-replace"],
    }


def test_equal_answers_make_no_difference() -> None:
    same = _check("a", {"status": 404, "code": "not.found"}, {"status": [404]})

    assert compare(_report(same), _report(same))["differences"] == []


def test_the_org_outside_the_assumption_is_a_bug_in_our_reading() -> None:
    org = _check("empty", {"empty_string": "key removed"}, {"empty_string": ['kept as ""']})
    emulator = _check("empty", {"empty_string": 'kept as ""'}, {"empty_string": ['kept as ""']})

    (difference,) = compare(_report(org), _report(emulator))["differences"]

    assert difference["verdict"] == READING_BUG
    assert (difference["org"], difference["emulator"]) == ("key removed", 'kept as ""')


def test_the_org_within_the_assumption_and_the_emulator_elsewhere_is_a_bug_in_the_emulator() -> None:
    org = _check("wrong-secret", {"status": 400, "body_keys": ["error"]}, {"status": [400, 401]})
    emulator = _check(
        "wrong-secret", {"status": 401, "body_keys": ["description", "error"]}, {"status": [400, 401]}
    )

    differences = compare(_report(org), _report(emulator))["differences"]

    assert {(d["finding"], d["verdict"]) for d in differences} == {
        ("status", EMULATOR_BUG),
        ("body_keys", EMULATOR_BUG),
    }


def test_what_only_one_side_observed_is_not_compared() -> None:
    org = _check("rate-limit-429", None)
    emulator = _check("rate-limit-429", {"status": 429})
    head_only = _check("b", {"status": 429})
    with_body = _check("b", {"status": 429, "code": "too.many.requests.retry.after"})

    assert compare(_report(org, head_only), _report(emulator, with_body))["differences"] == []
