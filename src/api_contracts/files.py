"""The generated files, rendered deterministically (sorted keys, two-space indent, ASCII, final newline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_contracts.data_actions import ActionOptions, lambda_action, web_services_action
from api_contracts.openapi import build_openapi

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = Path("contracts/openapi.json")
WEB_SERVICES_PATH = Path("contracts/data-actions/set-participant-data.web-services.json")
LAMBDA_PATH = Path("contracts/data-actions/set-participant-data.aws-lambda.json")


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def generated_files(options: ActionOptions | None = None) -> dict[Path, str]:
    """Relative path -> content. The committed files are these with the default options."""
    options = options or ActionOptions()
    return {
        OPENAPI_PATH: render(build_openapi()),
        WEB_SERVICES_PATH: render(web_services_action(options)),
        LAMBDA_PATH: render(lambda_action(options)),
    }


def write(files: dict[Path, str], root: Path) -> list[Path]:
    written = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def drifted(files: dict[Path, str], root: Path) -> list[Path]:
    """The files whose content on disk differs from what would be generated (or that are missing)."""
    return [
        relative
        for relative, content in files.items()
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != content
    ]
