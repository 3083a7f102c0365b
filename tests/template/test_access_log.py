"""API Gateway's access log: its JSON format, the log group the stack owns, and the account-wide CloudWatch
role API Gateway needs to write it, as CloudWatch would create them from the translated template.

AWS API Gateway developer guide: "Set up CloudWatch logging for REST APIs in API Gateway" (the account's
CloudWatch role) and "Variables for access logging for API Gateway" (the `$context` variables).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.template.cloudformation import Deployment, deploy
from tests.template.sam import source_template, translate_and_lint, translated

REPO_ROOT = Path(__file__).resolve().parents[2]
API = "ParticipantDataApi"
LOG_GROUP = "ParticipantDataApiAccessLogGroup"
ACCOUNT_SETTINGS = "ApiGatewayAccountSettings"
ACCOUNT_ROLE = "ApiGatewayCloudWatchLogsRole"
PUSH_TO_CLOUDWATCH_LOGS = "iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
# The fields an operator needs for a request API Gateway refused itself, and the variable each must hold.
REQUIRED_FIELDS = {
    "requestId": "$context.requestId",
    "sourceIp": "$context.identity.sourceIp",
    "apiKeyId": "$context.identity.apiKeyId",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "errorResponseType": "$context.error.responseType",
}
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_.]*")
# The key itself, bodies, headers, and what the caller writes freely (a quote there breaks the JSON line).
FORBIDDEN_VARIABLES = {"$context.identity.apiKey", "$context.identity.userAgent", "$context.path"}
FORBIDDEN_WORDS = ("body", "header", "override", "authorizer", "querystring")
QUERY_KEYWORDS = {"fields", "filter", "stats", "sort", "limit", "by", "as", "and", "or", "not", "in", "like",
                  "desc", "asc", "display"}  # fmt: skip


@cache
def _translated_template() -> dict[str, Any]:
    return translated(translate_and_lint())


def _deploy(pseudo_parameters: dict[str, str] | None = None, **parameters: str) -> Deployment:
    return deploy(_translated_template(), parameters, pseudo_parameters)


def _stage(deployment: Deployment) -> tuple[str, dict[str, Any]]:
    (stage,) = deployment.of_type("AWS::ApiGateway::Stage").items()
    return stage


def _log_format() -> str:
    setting = source_template()["Resources"][API]["Properties"]["AccessLogSetting"]
    log_format = setting["Format"]
    assert isinstance(log_format, str)
    return log_format


def test_each_request_is_one_json_object_with_the_fields_operators_need() -> None:
    log_format = _log_format()
    assert "\n" not in log_format
    fields = json.loads(log_format)
    assert REQUIRED_FIELDS.items() <= fields.items()
    # Every value is one variable inside quotes: the line is JSON whatever API Gateway puts there.
    assert all(isinstance(value, str) and _VARIABLE.fullmatch(value) for value in fields.values()), fields


def test_the_access_log_never_holds_a_body_a_header_or_the_api_key() -> None:
    variables = set(_VARIABLE.findall(_log_format()))
    assert variables
    assert all(variable.startswith("$context.") for variable in variables), variables  # no $input, $util
    assert not variables & FORBIDDEN_VARIABLES
    assert not [name for name in variables if any(word in name.lower() for word in FORBIDDEN_WORDS)]


@pytest.mark.parametrize("retention", ["7", "90"])
def test_the_stage_logs_to_a_log_group_of_the_stack_with_the_chosen_retention(retention: str) -> None:
    deployment = _deploy(LogRetentionInDays=retention)
    _, stage = _stage(deployment)
    assert stage["Properties"]["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": [LOG_GROUP, "Arn"]}
    log_group = deployment.resources[LOG_GROUP]["Properties"]
    assert str(log_group["RetentionInDays"]) == retention
    assert log_group["LogGroupName"] == "/aws/apigateway/stack-participant-data/access"
    assert "DeletionPolicy" not in deployment.resources[LOG_GROUP]  # the stack's own: deleted with it


def test_by_default_the_stack_leaves_the_account_wide_setting_alone() -> None:
    template = _translated_template()
    parameter = template["Parameters"]["CreateApiGatewayAccountRole"]
    assert parameter["Default"] == "false"
    assert "get-account" in parameter["Description"]
    deployment = _deploy()
    assert not deployment.of_type("AWS::ApiGateway::Account")
    assert ACCOUNT_ROLE not in deployment.resources


@pytest.mark.parametrize("aws_partition", ["aws", "aws-us-gov"])
def test_when_asked_it_sets_api_gateways_cloudwatch_role_and_keeps_it(aws_partition: str) -> None:
    deployment = _deploy({"AWS::Partition": aws_partition}, CreateApiGatewayAccountRole="true")
    (settings,) = deployment.of_type("AWS::ApiGateway::Account").values()
    assert settings["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": [ACCOUNT_ROLE, "Arn"]}
    role = deployment.resources[ACCOUNT_ROLE]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert role["Properties"]["ManagedPolicyArns"] == [f"arn:{aws_partition}:{PUSH_TO_CLOUDWATCH_LOGS}"]
    assert not role["Properties"].get("Policies")
    # Other APIs of the account write their logs with this role once it is set: deleting it with the
    # stack would break them, as the setting stays ("AWS::ApiGateway::Account").
    assert role["DeletionPolicy"] == role["UpdateReplacePolicy"] == "Retain"


def test_the_stage_is_created_only_after_the_account_settings_it_needs() -> None:
    deployment = _deploy(CreateApiGatewayAccountRole="true")
    stage_name, _ = _stage(deployment)
    assert ACCOUNT_SETTINGS in deployment.dependencies(stage_name)


@pytest.mark.parametrize("create_role", ["true", "false"])
def test_every_depends_on_names_a_resource_that_exists(create_role: str) -> None:
    """CloudFormation refuses a DependsOn on a resource that a condition left out."""
    deployment = _deploy(CreateApiGatewayAccountRole=create_role)
    for name, body in deployment.resources.items():
        depends_on = body.get("DependsOn", [])
        missing = {depends_on} - set(deployment.resources) if isinstance(depends_on, str) else set()
        missing |= set(depends_on if isinstance(depends_on, list) else []) - set(deployment.resources)
        assert not missing, f"{name} depends on {missing}"


def test_access_logging_is_no_longer_skipped_in_checkov() -> None:
    assert "CKV_AWS_76" not in (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")


def _field_names(query: str) -> set[str]:
    """The fields a Logs Insights query reads: its words less literals, functions, aliases and keywords."""
    text = re.sub(r'"[^"]*"|/[^/]*/', " ", query)
    words = set(re.findall(r"(?<![\w@])@?[A-Za-z_]\w*", text))
    functions = set(re.findall(r"(\w+)\s*\(", text))
    aliases = set(re.findall(r"\bas\s+(\w+)", text))
    return words - functions - aliases - QUERY_KEYWORDS


def test_the_logs_insights_queries_in_the_deploy_docs_read_fields_the_log_has() -> None:
    docs = (REPO_ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    queries = re.findall(r"```logs-insights\n(.*?)```", docs, flags=re.DOTALL)
    assert queries, "docs/deploying.md shows Logs Insights queries for the access log"
    logged = set(json.loads(_log_format())) | {"@timestamp", "@message", "@logStream"}
    for query in queries:
        assert _field_names(query) <= logged, f"a field the access log does not have:\n{query}"
