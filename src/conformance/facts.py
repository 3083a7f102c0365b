"""Mark the facts a real-org run confirmed or refuted in docs/genesys-facts.md.

Each fact the suite checks carries a line ``- **Real-org conformance:** ...``; this rewrites it from a
report: *confirmed by* the report when every check resting on the fact matched there, *refuted by* it
when one did not. Only a run against a Genesys Cloud API host may do so: the emulator is built from
these facts, so a run against it (in-process, or served as an "org" over TLS on loopback) proves nothing
about Genesys and is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from participant_data.genesys.credentials import REGION_DOMAINS

CONFORMANCE_LINE = re.compile(r"^- \*\*Real-org conformance:\*\*.*$", re.MULTILINE)
NOT_YET = "- **Real-org conformance:** none yet."


class MarkRefused(ValueError):
    """This report may not mark facts (an emulator's), or the facts document lacks a line to mark."""


def is_genesys_api_host(host: str) -> bool:
    """``api.<region domain>``: a known region, or a newer one under pure.cloud."""
    if not host.startswith("api."):
        return False
    domain = host.removeprefix("api.")
    return domain in REGION_DOMAINS or domain.endswith(".pure.cloud")


def marks(report: dict[str, Any], report_reference: str) -> dict[str, str]:
    """The new ``Real-org conformance`` line of each fact the report's checks rest on and observed."""
    host = urlsplit(str(report.get("api_base_url", ""))).hostname or ""
    if report.get("target") != "org" or not is_genesys_api_host(host):
        raise MarkRefused(
            f"refusing to mark facts from a run against {report.get('target')} at {host or 'no host'}: "
            "only a run against a Genesys Cloud org (https://api.<region>) confirms or refutes a fact; "
            "the emulator is built from these facts"
        )
    by_anchor: dict[str, list[dict[str, Any]]] = {}
    for check in report["checks"]:
        if check["result"] not in ("match", "differs"):
            continue  # not observed on this org: the fact keeps its previous mark
        for citation in check["facts"]:
            by_anchor.setdefault(citation.rsplit("#", 1)[-1], []).append(check)
    date = str(report["started_at"])[:10]
    lines = {}
    for anchor, checks in by_anchor.items():
        refuting = [c for c in checks if c["result"] != "match"]
        verb = "refuted" if refuting else "confirmed"
        shown = refuting or checks
        observed = "; ".join(f"{c['id']} ({_observed(c)})" for c in shown)
        lines[anchor] = f"- **Real-org conformance:** {verb} by `{report_reference}` ({date}): {observed}."
    return lines


def apply_marks(facts_text: str, lines: dict[str, str]) -> str:
    """The facts document with each anchor's ``Real-org conformance`` line replaced."""
    for anchor, line in lines.items():
        start = facts_text.find(f'<a id="{anchor}"></a>')
        if start < 0:
            raise MarkRefused(f"docs/genesys-facts.md has no fact #{anchor}")
        end = _section_end(facts_text, start)
        found = CONFORMANCE_LINE.search(facts_text, start, end)
        if found is None:
            raise MarkRefused(f"the fact #{anchor} has no '- **Real-org conformance:**' line to mark")
        facts_text = facts_text[: found.start()] + line + facts_text[found.end() :]
    return facts_text


def mark_facts_file(report: dict[str, Any], report_path: Path, facts_path: Path) -> list[str]:
    """Rewrite the facts document from a report; returns the anchors marked."""
    lines = marks(report, _reference(report_path, facts_path))
    facts_path.write_text(apply_marks(facts_path.read_text(), lines))
    return sorted(lines)


def _section_end(text: str, start: int) -> int:
    ends = [i for i in (text.find("\n### ", start), text.find("\n## ", start)) if i >= 0]
    return min(ends) if ends else len(text)


def _observed(check: dict[str, Any]) -> str:
    findings = check["findings"] or {}
    shown = check["expected"] or findings
    return ", ".join(f"{name} {findings.get(name)}" for name in shown)


def _reference(report_path: Path, facts_path: Path) -> str:
    """The report's path from the repository root (the facts document's grandparent), if it is inside."""
    root = facts_path.resolve().parent.parent
    try:
        return report_path.resolve().relative_to(root).as_posix()
    except ValueError:
        return report_path.name
