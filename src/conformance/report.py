"""The evidence a run leaves: a JSON report and the same as a readable Markdown page.

Both are made to be committed under docs/conformance/. They hold request templates, statuses, the
headers that matter, body shapes, error codes and timings; never a credential, a token, a conversation's
real IDs or an attribute value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.runner import CheckResult, Cleanup, RunResult

REPORT_FORMAT = 1
SUITE_NAME = "genesys-participant-data conformance suite (python -m conformance)"


def document(result: RunResult) -> dict[str, Any]:
    """The JSON report of a run."""
    target = result.target
    return {
        "format": REPORT_FORMAT,
        "suite": SUITE_NAME,
        "target": target.kind,
        "api_base_url": target.api_base_url,
        "login_base_url": target.login_base_url,
        "started_at": result.started_at.isoformat(timespec="seconds"),
        "finished_at": result.finished_at.isoformat(timespec="seconds"),
        "summary": summary(result.results),
        "checks": [_check(r) for r in result.results],
        "cleanup": _cleanup(result.cleanup),
        "comparison": None,
    }


def summary(results: list[CheckResult]) -> dict[str, Any]:
    counted = [r for r in results if r.kind != "not checked"]
    return {
        "behaviours": len(results),
        "checked": len(counted),
        "matched": sum(r.kind == "match" for r in counted),
        "not_checked": [r.check.id for r in results if r.kind == "not checked"],
    }


def summary_line(report: dict[str, Any]) -> str:
    """``conformance: N/N behaviours match``, plus what was not checked on this target."""
    counts = report["summary"]
    line = f"conformance: {counts['matched']}/{counts['checked']} behaviours match"
    if counts["not_checked"]:
        line += f"; not checked on this target: {', '.join(counts['not_checked'])}"
    return line


def _check(result: CheckResult) -> dict[str, Any]:
    check, outcome = result.check, result.outcome
    return {
        "id": check.id,
        "behaviour": check.behaviour,
        "assumption": check.assumption,
        "facts": check.citations,
        "result": result.kind,
        "reason": result.reason,
        "findings": outcome.findings if outcome else None,
        "expected": {k: list(v) for k, v in outcome.expected.items()} if outcome else None,
        "timings": outcome.timings if outcome else None,
        "notes": outcome.notes if outcome else [],
        "exchanges": [exchange.evidence() for exchange in result.exchanges],
    }


def _cleanup(cleanup: Cleanup) -> dict[str, Any]:
    return {
        "keys_written": cleanup.keys_written,
        "remaining": cleanup.remaining,
        "clean": cleanup.clean,
        "error": cleanup.error,
        "exchanges": [exchange.evidence() for exchange in cleanup.exchanges],
    }


def report_name(report: dict[str, Any]) -> str:
    """``emulator``, or ``org-<api host>-<start time>`` (one file per real-org run)."""
    if report["target"] == "emulator":
        return "emulator"
    host = report["api_base_url"].split("://", 1)[-1].split(":", 1)[0]
    moment = report["started_at"].replace("-", "").replace(":", "").replace("+0000", "Z")
    return f"org-{host}-{moment}"


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.md`` into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    name = report_name(report)
    json_path, markdown_path = out_dir / f"{name}.json", out_dir / f"{name}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    markdown_path.write_text(markdown(report))
    return json_path, markdown_path


# --- Markdown ------------------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    where = (
        "the emulator (in-process)"
        if report["target"] == "emulator"
        else f"a real org, {report['api_base_url']}"
    )
    lines = [
        f"# Conformance run against {where}",
        "",
        f"{SUITE_NAME}; started {report['started_at']}, finished {report['finished_at']}. "
        "How to run it and what it does: [docs/conformance.md](../conformance.md).",
        "",
        f"**{summary_line(report)}**",
        "",
    ]
    if report["target"] == "emulator":
        lines += [
            "A run against the emulator confirms no fact about Genesys: the emulator is built from "
            "docs/genesys-facts.md, so this shows only that the emulator agrees with the service's reading.",
            "",
        ]
    lines += [
        "| Behaviour | What the service assumes | Observed | Result |",
        "|---|---|---|---|",
    ]
    for check in report["checks"]:
        facts = ", ".join(f"[{citation}](../{citation.removeprefix('docs/')})" for citation in check["facts"])
        observed = _findings_text(check["findings"]) if check["findings"] else check["reason"] or ""
        result = check["result"] if check["result"] != "differs" else f"**differs** ({check['reason']})"
        lines.append(
            f"| `{check['id']}`: {_cell(check['behaviour'])} | {_cell(check['assumption'])} ({facts}) "
            f"| {_cell(observed)} | {_cell(result)} |"
        )
    lines += _comparison_lines(report.get("comparison"))
    lines += _cleanup_lines(report["cleanup"])
    lines += _exchange_lines(report)
    return "\n".join(lines) + "\n"


def _comparison_lines(comparison: dict[str, Any] | None) -> list[str]:
    if comparison is None:
        return []
    lines = ["", "## Differences from the emulator", ""]
    differences = comparison["differences"]
    if not differences:
        return [*lines, "The emulator answered every check as this org did."]
    lines += ["| Behaviour | Finding | This org | Emulator | Verdict |", "|---|---|---|---|---|"]
    for difference in differences:
        lines.append(
            f"| `{difference['check']}` | {difference['finding']} | {_cell(_value(difference['org']))} "
            f"| {_cell(_value(difference['emulator']))} | {_cell(difference['verdict'])} |"
        )
    return lines


def _cleanup_lines(cleanup: dict[str, Any]) -> list[str]:
    lines = ["", "## Cleanup", ""]
    if not cleanup["keys_written"]:
        return [*lines, "Nothing was written to the participant."]
    lines.append(f"Keys written to the participant: {', '.join(f'`{k}`' for k in cleanup['keys_written'])}.")
    if cleanup["error"]:
        lines.append(f'The cleanup failed ({cleanup["error"]}): set these keys to "" by hand.')
    elif cleanup["remaining"] is None:
        lines.append("The participant could not be read after the cleanup: check these keys by hand.")
    else:
        kept = sorted(cleanup["remaining"])
        gone = [k for k in cleanup["keys_written"] if k not in cleanup["remaining"]]
        non_empty = [k for k, state in cleanup["remaining"].items() if state != "empty"]
        lines.append(
            f'After setting them to "": {len(kept)} remain as empty strings, {len(gone)} are gone'
            + (f"; **not empty: {', '.join(non_empty)}**." if non_empty else ".")
        )
    return lines


def _exchange_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Requests",
        "",
        "| Check | Request | Status | Content-Type | Retry-After | Body | Code | ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups = [(c["id"], c["exchanges"]) for c in report["checks"]] + [
        ("cleanup", report["cleanup"]["exchanges"])
    ]
    for name, exchanges in groups:
        for e in exchanges:
            body = f"{e['body_bytes']} bytes" + (
                f", keys {', '.join(e['body_keys'])}" if e["body_keys"] else ""
            )
            status = e["status"] if e["status"] is not None else f"no answer ({e['transport_error']})"
            lines.append(
                f"| {name} | `{e['request']}` | {_cell(str(status))} | {e['content_type'] or ''} "
                f"| {e['retry_after'] or ''} | {_cell(body)} | {e['code'] or ''} | {e['milliseconds']} |"
            )
    return lines


def _findings_text(findings: dict[str, Any]) -> str:
    return "; ".join(f"{name} {_value(value)}" for name, value in findings.items())


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "none" if value is None else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
