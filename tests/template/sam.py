"""The SAM template as written and as SAM translates it, shared by the template tests.

The template is parsed with localdev.template's loader, which understands CloudFormation's short-form tags.
`sam validate --lint` and scripts/lint_translated_template.py (translate with aws-sam-translator, then
cfn-lint every generated resource: docs/genesys-facts.md#cfn-lint-sam) run as subprocesses from the SAM
virtualenv. A missing SAM CLI fails these tests: it is never a reason to skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import Any

import pytest

from localdev.template import TEMPLATE, load_template
from tests.processes import run
from tests.template.cloudformation import Deployment, deploy

REPO_ROOT = TEMPLATE.parent
TEMPLATE_PATH = TEMPLATE
LINT_SCRIPT = REPO_ROOT / "scripts" / "lint_translated_template.py"
FUNCTION = "ParticipantDataFunction"
API = "ParticipantDataApi"
SUBPROCESS_TIMEOUT_SECONDS = 120
# A value the GenesysSecretArn parameter accepts, for deploying the template in a test.
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:genesys/oauth-client-AbC123"


@cache
def source_template() -> dict[str, Any]:
    """template.yaml as written (shared: never modify it)."""
    return load_template(TEMPLATE_PATH)


def function_events(function: dict[str, Any], event_type: str) -> list[dict[str, Any]]:
    """The Properties of the function's events of one type (`Api`, `Schedule`)."""
    return [event["Properties"] for event in function["Events"].values() if event["Type"] == event_type]


def comment_above(setting: str, under: str | None = None) -> list[str]:
    """The comment lines right above template.yaml's first `setting:` line (the first after the line
    `under`, when given), nearest first."""
    lines = TEMPLATE_PATH.read_text(encoding="utf-8").splitlines()
    start = 0 if under is None else lines.index(under)
    index = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(f"{setting}:"))
    return list(takewhile(lambda line: line.strip().startswith("#"), reversed(lines[:index])))


def sam_executable() -> Path:
    """The SAM CLI of the repository's .venv-sam, else the one on PATH; missing means failure."""
    local = REPO_ROOT / ".venv-sam" / "bin" / "sam"
    if local.is_file():
        return local
    found = shutil.which("sam")
    if found is None:
        pytest.fail(
            "SAM CLI not found: neither .venv-sam/bin/sam nor `sam` on PATH. "
            "Create it with `make .venv-sam/.installed` (or `make test`, which does)."
        )
    return Path(found)


def _sam_python() -> Path:
    """The Python interpreter that has aws-sam-translator and cfn-lint (the SAM CLI's own)."""
    python = sam_executable().parent / "python"
    if not python.is_file():
        pytest.fail(f"no Python next to the SAM CLI ({python}): cannot run {LINT_SCRIPT.name}")
    return python


def run_sam_tool(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a tool of the SAM virtualenv offline, without this test run's PYTHONPATH."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment |= {"SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return run(command, environment, SUBPROCESS_TIMEOUT_SECONDS)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


@cache
def translate_and_lint(*parameters: str) -> subprocess.CompletedProcess[str]:
    """The translation and lint run for these `Name=Value` parameters (the others keep their defaults)."""
    arguments = [f"--parameter={parameter}" for parameter in parameters]
    return run_sam_tool([str(_sam_python()), str(LINT_SCRIPT), str(TEMPLATE_PATH), "--show", *arguments])


def translated(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The CloudFormation a clean translate_and_lint run printed; a translation or lint failure fails."""
    assert result.returncode == 0, explain(result)
    start = result.stdout.index("{")
    decoded, _ = json.JSONDecoder().raw_decode(result.stdout[start:])
    assert isinstance(decoded, dict)
    return decoded


def translated_template(*parameters: str) -> dict[str, Any]:
    """The CloudFormation SAM generates for these `Name=Value` parameters, linted clean."""
    return translated(translate_and_lint(*parameters))


def deploy_translated(**parameters: str) -> Deployment:
    """What CloudFormation would create from SAM's translation for these parameter values."""
    return deploy(
        translated_template(*(f"{name}={value}" for name, value in sorted(parameters.items()))), parameters
    )
