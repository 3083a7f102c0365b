"""The real-org path (``--target org``) against the emulator served over TLS on loopback: the code that
will talk to a Genesys org is the code that runs here, certificate verification included."""

from __future__ import annotations

import re

import pytest

from conformance.checks import SUITE
from conformance.compare import READING_BUG
from conformance.plan import PlannedRequest
from conformance.runner import CLEANUP_PLAN
from conformance.session import KEY_PREFIX
from genesys_emulator import Fault
from tests.conformance.conftest import CLIENT_ID, CLIENT_SECRET, FLOW_DATA, StandInOrg
from tests.leakscan import credentials_to_search, find_leaks

pytestmark = pytest.mark.integration

PROVOKED_ON_EMULATOR_ONLY = [check.id for check in SUITE if check.provoked_on_emulator_only]


def test_a_run_checks_every_behaviour_it_may_provoke_and_they_match(org: StandInOrg) -> None:
    run = org.run("--write")

    assert run.exit_code == 0, run.output
    checked = len(SUITE) - len(PROVOKED_ON_EMULATOR_ONLY)
    assert run.last_line == (
        f"conformance: {checked}/{checked} behaviours match; not checked on this target: "
        + ", ".join(PROVOKED_ON_EMULATOR_ONLY)
    )
    report = run.report()
    assert report["target"] == "org"
    assert {c["id"]: c["result"] for c in report["checks"]} == {
        check.id: "not checked" if check.provoked_on_emulator_only else "match" for check in SUITE
    }
    assert report["comparison"] == {"against": "emulator", "differences": []}
    assert all(
        c["facts"] and all(f.startswith("docs/genesys-facts.md#") for f in c["facts"])
        for c in report["checks"]
    )
    assert sorted(path.suffix for path in run.report_files()) == [".json", ".md"]


def test_it_writes_only_reserved_keys_and_leaves_them_empty(org: StandInOrg) -> None:
    run = org.run("--write")

    attributes = org.attributes()
    written = {key: value for key, value in attributes.items() if key not in FLOW_DATA}
    assert written, "the run wrote nothing"
    assert all(key.startswith(KEY_PREFIX) for key in written)
    assert set(written.values()) == {""}
    assert {key: attributes[key] for key in FLOW_DATA} == FLOW_DATA
    cleanup = run.report()["cleanup"]
    assert sorted(cleanup["keys_written"]) == sorted(written)
    assert cleanup["clean"] is True
    assert set(cleanup["remaining"].values()) == {"empty"}


def test_every_request_it_makes_is_in_the_plan_a_dry_run_prints(org: StandInOrg) -> None:
    org.run("--write")

    on_org = [check for check in SUITE if not check.provoked_on_emulator_only]
    plan = [request for check in on_org for request in check.plan] + list(CLEANUP_PLAN)
    patterns = [(request, _path_pattern(request)) for request in plan]
    recorded = org.emulator.requests
    unplanned = [
        (r.method, r.path)
        for r in recorded
        if not any(p.method == r.method and pattern.fullmatch(r.path) for p, pattern in patterns)
    ]
    assert recorded
    assert unplanned == []
    assert len(recorded) <= sum(request.times for request in plan)
    named = f"/api/v2/conversations/{org.conversation_id}/"
    patched = [r.path for r in recorded if r.method == "PATCH"]
    assert all(path.startswith(named) or org.conversation_id not in path for path in patched)


def test_a_dry_run_prints_the_plan_and_makes_no_request(org: StandInOrg) -> None:
    run = org.run("--dry-run", environ={})

    assert run.exit_code == 0, run.output
    base = org.emulator.base_url
    participant = f"{base}/api/v2/conversations/{org.conversation_id}/participants/{org.participant_id}"
    assert f"PATCH {participant}/attributes" in (run.output)
    assert f"POST {base}/oauth/token" in run.output
    assert all(f"{check.id}: " in run.output for check in SUITE)
    assert "NOT SET" in run.output  # the variables were not set: said, not needed for a dry run
    assert run.last_line.startswith("dry run: at most ")
    assert run.last_line.endswith("none made")
    assert org.emulator.count_requests() == 0
    assert run.report_files() == []


def test_without_write_it_refuses_and_sends_nothing(org: StandInOrg) -> None:
    run = org.run()

    assert run.exit_code == 2
    assert "refusing to run without --write" in run.output
    assert org.emulator.count_requests() == 0
    assert org.attributes() == FLOW_DATA
    assert run.report_files() == []


def test_certificates_are_verified_a_server_outside_the_trust_store_gets_no_request(org: StandInOrg) -> None:
    run = org.run("--write", ca_bundle=False)

    assert run.exit_code == 1
    results = {c["result"] for c in run.report()["checks"]}
    assert results <= {"error", "not checked"}
    assert "CERTIFICATE_VERIFY_FAILED" in run.check("token-client-credentials")["reason"]
    assert org.emulator.count_requests() == 0  # no TLS handshake completed: no HTTP request was read


def test_a_429_is_honoured_and_recorded_as_observed_not_provoked(org: StandInOrg) -> None:
    org.emulator.inject_fault(
        Fault(status=429, retry_after=1, method="HEAD", path_prefix="/api/v2/tokens/me")
    )

    run = org.run("--write")

    assert run.exit_code == 0, run.output
    assert run.last_line == f"conformance: {len(SUITE)}/{len(SUITE)} behaviours match"
    assert [e["status"] for e in run.check("tokens-me-head")["exchanges"]] == [429, 200]
    rate_limit = run.check("rate-limit-429")
    assert rate_limit["result"] == "match"
    assert any("observed, not provoked" in note for note in rate_limit["notes"])
    assert org.emulator.count_requests("HEAD", "/api/v2/tokens/me") == 2


def test_a_difference_from_the_emulator_is_listed_with_its_verdict(org: StandInOrg) -> None:
    org.emulator.inject_fault(Fault(status=503, method="HEAD", path_prefix="/api/v2/tokens/me"))

    run = org.run("--write")

    assert run.exit_code == 1
    assert run.check("tokens-me-head")["result"] == "differs"
    differences = run.report()["comparison"]["differences"]
    assert {"check": "tokens-me-head", "finding": "status", "org": 503, "emulator": 200} in [
        {key: d[key] for key in ("check", "finding", "org", "emulator")} for d in differences
    ]
    assert {d["verdict"] for d in differences if d["check"] == "tokens-me-head"} == {READING_BUG}
    (markdown,) = run.out_dir.glob("org-*.md")
    assert "## Differences from the emulator" in markdown.read_text()


def test_credentials_and_tokens_never_appear_in_output_or_reports(org: StandInOrg) -> None:
    run = org.run("--write")

    texts = [("output", run.output)] + [(path.name, path.read_text()) for path in run.report_files()]
    credentials = credentials_to_search({(CLIENT_ID, CLIENT_SECRET)}, org.emulator.issued_tokens)
    assert org.emulator.issued_tokens, "no token was issued: nothing was scanned for"
    assert find_leaks(texts, credentials) == []


def _path_pattern(request: PlannedRequest) -> re.Pattern[str]:
    """The request's path template with each ``{placeholder}`` standing for one path segment."""
    parts = re.split(r"\{[a-z_]+\}", request.path)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))
