"""The derandomized hostile-input profile is applied by the tests that need it, not to the whole session."""

from __future__ import annotations

from hypothesis import settings


def test_the_session_does_not_run_under_the_hostile_input_profile() -> None:
    # This folder's conftest has registered the profile by now; registering it must not have loaded it,
    # or every Hypothesis user in the run (the schemathesis tests) would be derandomized too.
    assert settings.get_profile("hostile-input").derandomize is True
    assert settings.get_current_profile_name() != "hostile-input"
