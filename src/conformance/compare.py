"""A real org's answers next to the emulator's, check by check: each difference is a bug somewhere.

Where the org answered as the service assumes and the emulator did not, the emulator is wrong. Where the
org did not answer as the service assumes, our reading is wrong: the fact in docs/genesys-facts.md (and
the emulator, which is built from it) needs correcting.
"""

from __future__ import annotations

from typing import Any

EMULATOR_BUG = "bug in the emulator"
READING_BUG = "bug in our reading"


def compare(org: dict[str, Any], emulator: dict[str, Any]) -> dict[str, Any]:
    """The ``comparison`` section of an org report: its differences from an emulator report."""
    emulated = {check["id"]: check for check in emulator["checks"]}
    differences = []
    for check in org["checks"]:
        twin = emulated.get(check["id"])
        if twin is None or check["findings"] is None or twin["findings"] is None:
            continue  # observed on one side only (a 429 never provoked on the org): nothing to compare
        expected = check["expected"] or {}
        for name in sorted(set(check["findings"]) & set(twin["findings"])):  # what both observed
            ours, theirs = check["findings"].get(name), twin["findings"].get(name)
            if ours == theirs:
                continue
            reading_wrong = name in expected and ours not in expected[name]
            differences.append(
                {
                    "check": check["id"],
                    "finding": name,
                    "org": ours,
                    "emulator": theirs,
                    "verdict": READING_BUG if reading_wrong else EMULATOR_BUG,
                    "facts": check["facts"],
                }
            )
    return {"against": "emulator", "differences": differences}
