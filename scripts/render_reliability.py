"""Render the measured tables of docs/reliability.md from the JSON the fault and load tests write.

    python scripts/render_reliability.py RESULTS_DIR [docs/reliability.md]

RESULTS_DIR holds faults.json (tests/faults) and load-*.json (load/), as written when
RELIABILITY_RESULTS_DIR is set (`make chaos`, `make load`). Only the text between the
`<!-- BEGIN name -->` and `<!-- END name -->` markers is replaced; a results file that is absent leaves its
table as it was, so `make chaos` and `make load` can run separately.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def fault_table(rows: list[dict[str, Any]]) -> str:
    """The fault matrix: every column but the seconds was asserted exactly by its case (tests/faults)."""
    unverified = [row["case"] for row in rows if not row.get("verified")]
    if unverified:
        raise SystemExit(f"faults.json holds cases that failed their expectation: {', '.join(unverified)}")
    if rows and len(rows) != rows[0]["cases_in_matrix"]:
        raise SystemExit(f"faults.json holds {len(rows)} of the matrix's {rows[0]['cases_in_matrix']} cases")
    lines = [
        "| group | case | fault injected | answer | write | Secrets Manager requests | token requests"
        " | API requests | PATCHes applied | retries logged | seconds (budget) |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        fault = "; ".join([row["fault"], *(f"{name}={value}" for name, value in row["settings"].items())])
        answer = f"{row['status']} {row['code'] or 'ok'}"
        if row.get("retry_after"):
            answer += f" (Retry-After {row['retry_after']})"
        write = row["write"] if row["write"] != "applied, answered failure" else f"**{row['write']}**"
        lines.append(
            f"| {row['group']} | {row['case']} | {fault} | {answer} | {write} | {row['secrets_requests']}"
            f" | {row['token_requests']} | {row['api_requests']} | {row['patches_applied']}"
            f" | {_retries(row)} | {row['seconds']:.2f} ({row['budget_seconds']:g}) |"
        )
    return "\n".join(lines)


def _retries(row: dict[str, Any]) -> str:
    """Retries by reason ("2 x genesys:503"), then any stale-secret warning with its re-read's failure."""
    counts = Counter(row["retries"])
    parts = [f"{count} x {reason}" for reason, count in counts.items()] or ["0"]
    parts += [f"cached secret served after {reason}" for reason in row["stale_secret"]]
    return "; ".join(parts)


def load_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | processes x invocations | limit / token / min | wall s | peak in flight | answers"
        " | Genesys 429s | tokens | keys 200 / lost / written-but-refused | p50 / p99 / max s (budget) |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for r in results:
        answers = ", ".join(f"{count} x {status}" for status, count in r["statuses"].items())
        lines.append(
            f"| {r['scenario']} | {r['processes']} x {r['invocations_per_process']} |"
            f" {r['rate_limit_per_token_per_minute']} | {r['wall_seconds']} | {r['peak_in_flight']}"
            f" | {answers} |"
            f" {r['genesys_429_answers']} | {r['token_requests']} |"
            f" {r['keys_answered_200']} / {r['keys_lost']} / {r['keys_written_but_refused']} |"
            f" {r['p50_seconds']} / {r['p99_seconds']} / {r['max_seconds']} ({r['budget_seconds']:g}) |"
        )
    return "\n".join(lines)


def replace_block(document: str, name: str, content: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.DOTALL)
    if not pattern.search(document):
        raise SystemExit(f"no <!-- BEGIN {name} --> ... <!-- END {name} --> block in the document")
    return pattern.sub(lambda match: match.group(1) + content + "\n" + match.group(2), document)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    results = Path(argv[1])
    target = Path(argv[2] if len(argv) == 3 else "docs/reliability.md")
    document = target.read_text(encoding="utf-8")
    faults = results / "faults.json"
    if faults.exists():
        document = replace_block(document, "faults", fault_table(json.loads(faults.read_text())))
    loads = sorted(results.glob("load-*.json"))
    if loads:
        document = replace_block(document, "load", load_table([json.loads(p.read_text()) for p in loads]))
    target.write_text(document, encoding="utf-8")
    print(f"rendered {target} from {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
