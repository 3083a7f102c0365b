"""The conformance suite's checks, in the order they run: one per behaviour the service relies on.

The token checks come first (the valid-credentials one obtains the token every later check uses); the
429 comes last, after every other request of the run could have met one on a real org.
"""

from conformance.checks.attributes import ATTRIBUTE_CHECKS
from conformance.checks.errors import ERROR_CHECKS
from conformance.checks.model import Check, NotChecked, Outcome
from conformance.checks.tokens import TOKEN_CHECKS

SUITE: tuple[Check, ...] = (*TOKEN_CHECKS, *ATTRIBUTE_CHECKS, *ERROR_CHECKS)

__all__ = ["SUITE", "Check", "NotChecked", "Outcome"]
