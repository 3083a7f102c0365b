"""How many malformed requests each property test ran (read by conftest's summary)."""

from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()
REACHED_GENESYS = 0
# The property tests whose counts add up to the per-run total.
EXPECTED_TESTS = frozenset({"api_body", "api_envelope", "direct_event", "any_event"})
