"""`make data-actions` prints what the Genesys integrations need: the role ARN for the AWS Lambda one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api_contracts.__main__ import main
from api_contracts.files import LAMBDA_PATH, WEB_SERVICES_PATH
from tests.processes import run

ROLE_ARN = "arn:aws:iam::123456789012:role/genesys-participant-data-GenesysInvocationRole-1A2B3C"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:genesys-participant-data-Fn:live"
MAKE_TIMEOUT_SECONDS = 120


def _lambda_credential_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if "Amazon Web Services ARN" in line]
    return line


def test_the_role_arn_is_the_lambda_integrations_credential(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["integrations", "--role-arn", ROLE_ARN, "--function-arn", FUNCTION_ARN]) == 0
    output = capsys.readouterr().out
    assert _lambda_credential_line(output).endswith(f"ARN = {ROLE_ARN}")
    assert FUNCTION_ARN in output
    assert LAMBDA_PATH.name in output
    assert WEB_SERVICES_PATH.name in output


def test_without_a_role_arn_it_says_where_to_find_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["integrations"]) == 0
    line = _lambda_credential_line(capsys.readouterr().out)
    assert "GenesysInvocationRoleArn" in line
    assert "GenesysOrganizationId" in line


@pytest.mark.parametrize(
    "not_a_role",
    [
        "arn:aws:iam::123456789012:user/someone",
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
        "GenesysInvocationRole",
        "arn:aws:iam::12345:role/short-account",
    ],
)
def test_anything_but_a_role_arn_is_refused(not_a_role: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["integrations", "--role-arn", not_a_role]) == 2
    captured = capsys.readouterr()
    assert "not an IAM role ARN" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "function_arn",
    [
        FUNCTION_ARN.replace("123456789012", "210987654321"),
        FUNCTION_ARN.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-west-1"),
    ],
)
def test_a_role_and_a_function_of_different_accounts_are_refused(
    function_arn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack's role may invoke the stack's function only: mixed outputs would fail at the first call."""
    assert main(["integrations", "--role-arn", ROLE_ARN, "--function-arn", function_arn]) == 2
    assert "different AWS accounts" in capsys.readouterr().err


def test_make_data_actions_passes_the_role_arn_through(tmp_path: Path) -> None:
    # -o .venv/.installed: use the virtualenv as it is, never (re)create it from a test.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    result = run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "data-actions",
         f"ROLE_ARN={ROLE_ARN}", f"FUNCTION_ARN={FUNCTION_ARN}", f"OUT={tmp_path}"],
        environment,
        MAKE_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _lambda_credential_line(result.stdout).endswith(f"ARN = {ROLE_ARN}")
    assert FUNCTION_ARN in (tmp_path / LAMBDA_PATH).read_text(encoding="utf-8")
