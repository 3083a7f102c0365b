"""The function: a package built for the runtime and architecture it declares, a handler that exists,
SnapStart on every way it is invoked, a timeout in step with the request budget and API Gateway, an
environment the code reads and accepts, concurrency sized for one Genesys org, and its log group."""

from __future__ import annotations

import ast
import json
import logging
import re
from typing import Any

import pytest

from participant_data.errors import ConfigurationError
from participant_data.settings import Settings
from tests.template.cloudformation import deploy
from tests.template.limits import (
    API_GATEWAY_TIMEOUT_SECONDS,
    CLOUDWATCH_RETENTION_DAYS,
    GENESYS_CONCURRENT_DATA_ACTIONS,
    POWERTOOLS_VARIABLES,
    SETTINGS_VARIABLES,
)
from tests.template.sam import FUNCTION, REPO_ROOT, SECRET_ARN, comment_above, translated_template

HANDLER_MAKEFILE = REPO_ROOT / "src" / "handler" / "Makefile"
# The platform tag that ends the manylinux wheels of each Lambda architecture.
WHEEL_PLATFORMS = {"arm64": "aarch64", "x86_64": "x86_64"}
LOG_LEVEL_VARIABLES = ("LOG_LEVEL", "POWERTOOLS_LOG_LEVEL")


def _makefile_variable(name: str) -> str:
    text = HANDLER_MAKEFILE.read_text(encoding="utf-8")
    match = re.search(rf"^{name}\s*[:?]?=\s*(\S+)\s*$", text, re.MULTILINE)
    assert match, f"src/handler/Makefile sets no {name}"
    return match[1]


def _settings(template: dict[str, Any], budget: object) -> Settings:
    """What the code makes of the function's environment when deployed with this request budget."""
    deployment = deploy(template, {"GenesysSecretArn": SECRET_ARN, "RequestBudgetSeconds": str(budget)})
    variables = deployment.physical(deployment.resources[FUNCTION]["Properties"]["Environment"]["Variables"])
    return Settings.from_environment({name: str(value) for name, value in variables.items()})


# --- The package and the handler -----------------------------------------------------------------------


def test_sam_build_runs_the_makefile_for_the_declared_runtime_and_architecture(
    resources: dict[str, Any], function: dict[str, Any]
) -> None:
    # `sam build` runs `make build-<resource>` only with BuildMethod: makefile (else it pip-installs on its
    # own, without the bytecode the Makefile compiles: docs/genesys-facts.md#sdk-heavy-import). Wheels for
    # another architecture, or bytecode of another Python, would break or slow every cold start.
    assert resources[FUNCTION]["Metadata"]["BuildMethod"] == "makefile"
    assert re.search(rf"^build-{FUNCTION}:", HANDLER_MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert function["Runtime"] == f"python{_makefile_variable('PYTHON_VERSION')}"
    (architecture,) = function["Architectures"]
    assert _makefile_variable("LAMBDA_PLATFORM").endswith(f"_{WHEEL_PLATFORMS[architecture]}")


def test_the_handler_names_a_function_of_the_code(function: dict[str, Any]) -> None:
    module, _, name = function["Handler"].rpartition(".")
    source = REPO_ROOT / function["CodeUri"] / f"{module.replace('.', '/')}.py"
    assert source.is_file(), f"Handler {function['Handler']} names no module in {function['CodeUri']}"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert name in defined | assigned, f"{source.name} defines no {name}"


# --- SnapStart -----------------------------------------------------------------------------------------


def test_snapstart_covers_every_way_the_function_is_invoked(function: dict[str, Any]) -> None:
    """SnapStart applies to published versions only (docs/genesys-facts.md#snapstart): whatever invokes
    the function itself ($LATEST) gets on-demand cold starts. SAM publishes a version on each deploy and
    moves the alias to it; the API, the schedule and the output Genesys's Lambda data actions use must
    all name that alias."""
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    translated = translated_template()
    resources = translated["Resources"]
    alias = f"{FUNCTION}Alias{function['AutoPublishAlias']}"
    (version, _) = resources[alias]["Properties"]["FunctionVersion"]["Fn::GetAtt"]
    assert resources[version]["Type"] == "AWS::Lambda::Version"

    (rest_api,) = [body for body in resources.values() if body["Type"] == "AWS::ApiGateway::RestApi"]
    integrations = [
        json.dumps(operation["x-amazon-apigateway-integration"]["uri"])
        for path in rest_api["Properties"]["Body"]["paths"].values()
        for operation in path.values()
    ]
    assert integrations
    assert all(f"${{{alias}}}/invocations" in uri for uri in integrations), integrations
    targets = [
        target["Arn"]
        for body in resources.values()
        if body["Type"] == "AWS::Events::Rule"
        for target in body["Properties"]["Targets"]
        if FUNCTION in json.dumps(target["Arn"])
    ]
    assert targets == [{"Ref": alias}]
    permissions = [
        body["Properties"]
        for body in resources.values()
        if body["Type"] == "AWS::Lambda::Permission"
        and FUNCTION in json.dumps(body["Properties"]["FunctionName"])
    ]
    assert {"apigateway.amazonaws.com", "events.amazonaws.com"} <= {p["Principal"] for p in permissions}
    assert all(permission["FunctionName"] == {"Ref": alias} for permission in permissions), permissions
    assert translated["Outputs"]["ParticipantDataFunctionArn"]["Value"] == {"Ref": alias}


# --- Timeout and environment ---------------------------------------------------------------------------


def test_the_timeout_outlasts_the_largest_budget_but_not_api_gateway(
    template: dict[str, Any], function: dict[str, Any]
) -> None:
    # The handler answers within the budget less its response margin; Lambda's timeout is the backstop,
    # which must let the largest budget be used in full and still cut a hung invocation before API
    # Gateway answers 504 (docs/genesys-facts.md#api-gateway-integration-timeout).
    largest = _settings(template, template["Parameters"]["RequestBudgetSeconds"]["MaxValue"])
    timeout = function["Timeout"]
    assert isinstance(timeout, int)
    assert largest.request_budget_seconds + largest.response_margin_seconds < timeout
    assert timeout < API_GATEWAY_TIMEOUT_SECONDS


@pytest.mark.parametrize("bound", ["MinValue", "Default", "MaxValue"])
def test_the_code_accepts_the_environment_the_template_gives_it(template: dict[str, Any], bound: str) -> None:
    budget = template["Parameters"]["RequestBudgetSeconds"][bound]
    try:
        settings = _settings(template, budget)
    except ConfigurationError as error:
        pytest.fail(
            f"RequestBudgetSeconds={budget} ({bound}): the code refuses the environment, "
            f"so every request would fail: {error}"
        )
    assert settings.request_budget_seconds == budget
    assert settings.genesys_secret_id == SECRET_ARN


def test_every_variable_the_template_sets_is_one_the_code_reads(environment: dict[str, Any]) -> None:
    assert set(environment) - SETTINGS_VARIABLES - POWERTOOLS_VARIABLES == set()


def test_the_log_level_is_one_python_logging_knows(environment: dict[str, Any]) -> None:
    # Powertools' Logger refuses an unknown level name at import: the function would never start.
    levels = [environment[name] for name in LOG_LEVEL_VARIABLES if name in environment]
    assert all(level in logging.getLevelNamesMapping() for level in levels), levels


# --- Sizing --------------------------------------------------------------------------------------------


def test_reserved_concurrency_serves_one_orgs_peak_and_still_caps(function: dict[str, Any]) -> None:
    # A container per data action Genesys runs at once, plus the health check and containers finishing a
    # request whose caller gave up; at most twice that, so the cap still bounds the tokens the function
    # asks for and the load a leaked API key can put on Genesys.
    reserved = function["ReservedConcurrentExecutions"]
    assert GENESYS_CONCURRENT_DATA_ACTIONS < reserved <= 2 * GENESYS_CONCURRENT_DATA_ACTIONS


@pytest.mark.parametrize("setting", ["MemorySize", "Timeout", "ReservedConcurrentExecutions"])
def test_each_sizing_choice_is_explained_in_a_comment(setting: str) -> None:
    assert len(comment_above(setting)) >= 3, f"{setting} needs a comment above it that justifies the value"


# --- Its log group -------------------------------------------------------------------------------------


def test_the_stack_owns_the_log_group_lambda_writes_to_with_the_chosen_retention(
    template: dict[str, Any],
) -> None:
    # Lambda writes to /aws/lambda/<function name> by default (AWS Lambda Developer Guide, "Sending Lambda
    # function logs to CloudWatch Logs"): a group of any other name keeps nothing, and Lambda would create
    # that one itself, never expiring.
    deployment = deploy(template, {"LogRetentionInDays": "90"})
    log_group = deployment.resources[f"{FUNCTION}LogGroup"]["Properties"]
    assert log_group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{FUNCTION}}}"}
    assert log_group["RetentionInDays"] == "90"


def test_every_retention_offered_is_one_cloudwatch_accepts(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["LogRetentionInDays"]
    assert set(parameter["AllowedValues"]) <= CLOUDWATCH_RETENTION_DAYS
