"""The repository needs nothing outside itself.

No file refers to material beside the clone (a folder next to it, a notes file the project does not
hold): facts about Genesys and AWS live in docs/genesys-facts.md, each under an anchor that code and docs
cite, and the Platform API definition the emulator tests compare against is a fixture in tests/fixtures.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FACTS = REPO / "docs" / "genesys-facts.md"
SWAGGER = REPO / "tests" / "fixtures" / "genesys-platform-api-subset.swagger.json"
# References to what only exists beside a clone: the folder, that notes file by name, and the short
# forms docs and docstrings used for it. Each is split so that this file does not match itself.
OUTSIDE_REFERENCES = re.compile(
    "|".join(
        (
            r"\.\./" + "shared",
            "shared/" + "genesys",
            "genesys-api-" + "notes",
            r"\bapi " + r"notes\b",
            r"\bthe " + r"notes\b",
            r"\*" + r"notes\*",
        )
    ).encode(),
    re.IGNORECASE,
)
CITATION = re.compile(r"docs/genesys-facts\.md#([A-Za-z0-9_-]+)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def _repository_files() -> list[Path]:
    """Tracked files and new ones not ignored: what a clone (or the next commit) holds."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [REPO / name for name in sorted(set(listing.split("\0"))) if name and (REPO / name).is_file()]


def test_no_file_refers_to_anything_beside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{line_number}: {line.strip()[:120]!r}"
        for path in _repository_files()
        for line_number, line in enumerate(path.read_bytes().splitlines(), start=1)
        if OUTSIDE_REFERENCES.search(line)
    ]
    assert offenders == [], "cite docs/genesys-facts.md#<anchor> instead:\n" + "\n".join(offenders)


def test_every_citation_of_the_facts_document_names_a_fact_it_has() -> None:
    anchors = set(ANCHOR.findall(FACTS.read_text()))
    dangling = [
        f"{path.relative_to(REPO)}: #{anchor}"
        for path in _repository_files()
        if path.suffix != ".json"
        for anchor in CITATION.findall(path.read_text(errors="replace"))
        if anchor not in anchors
    ]
    assert dangling == []


def test_each_fact_says_how_sure_it_is_and_where_it_comes_from() -> None:
    text = FACTS.read_text()
    anchors = ANCHOR.findall(text)
    assert len(anchors) == len(set(anchors)) > 20
    sections = ANCHOR.split(text)[1:]  # [anchor, body, anchor, body, ...]
    for anchor, body in zip(sections[::2], sections[1::2], strict=True):
        section = body.split("\n## ")[0]  # up to the next chapter, if it comes first
        assert "**How sure:**" in section, anchor
        assert re.search(r"\*\*How sure:\*\*[^*]*\b(confirmed|likely|unconfirmed)\b", section), anchor
        assert "**Sources:**" in section, anchor


def test_the_platform_api_fixture_is_complete_and_says_where_it_was_cut_from() -> None:
    document: dict[str, Any] = json.loads(SWAGGER.read_text())
    assert set(document["paths"]) == {
        "/api/v2/conversations/{conversationId}",
        "/api/v2/conversations/{conversationId}/participants/{participantId}/attributes",
    }
    references = set(re.findall(r'"#/definitions/([^"]+)"', SWAGGER.read_text()))
    assert references == set(document["definitions"])  # every $ref resolves, and nothing else was kept
    provenance = (SWAGGER.parent / "README.md").read_text()
    for where in (
        "MyPureCloud/platform-client-sdk-python",
        "`swagger.json`",
        "22496b750f4559e62ce72bb549ba4b4c3a5e9e2b",
    ):
        assert where in provenance
