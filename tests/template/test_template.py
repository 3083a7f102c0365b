"""The SAM template (template.yaml) and the sample events (events/): what they must declare, checked offline.

The template is parsed with a YAML loader that understands CloudFormation's short-form tags; `sam validate
--lint` and scripts/lint_translated_template.py (translate with aws-sam-translator, then cfn-lint) run as
subprocesses from the SAM virtualenv. A missing SAM CLI fails these tests: it is never a reason to skip.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from localdev.template import load_template

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
EVENTS_DIR = REPO_ROOT / "events"
LINT_SCRIPT = REPO_ROOT / "scripts" / "lint_translated_template.py"

FUNCTION = "ParticipantDataFunction"
API = "ParticipantDataApi"
ROUTE = "/conversations/{conversationId}/participants/{participantId}/attributes"
METHOD = "PATCH"
CONVERSATION_ID = "3f1c2e5a-8b7d-4c6e-9a1f-2b3c4d5e6f70"
PARTICIPANT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
SAMPLE_BODY = {"attributes": {"ivr_choice": "billing", "customer_tier": "gold", "priority_level": 5}}
# API Gateway REST integrations give up after 29 s; the handler keeps this much back from its budget.
API_GATEWAY_TIMEOUT_SECONDS = 29
RESPONSE_MARGIN_SECONDS = 0.5
CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]  # fmt: skip
EXPECTED_EVENT_FILES = {
    "api-gateway-rest.json",
    "api-gateway-rest-base64.json",
    "api-gateway-rest-customer-alias.json",
    "api-gateway-http.json",
    "direct-invocation.json",
    "scheduled.json",
}
SUBPROCESS_TIMEOUT_SECONDS = 120


# --- Parsing -------------------------------------------------------------------------------------------


@cache
def _template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture
def template() -> dict[str, Any]:
    return _template()


@pytest.fixture
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found = template["Resources"]
    assert isinstance(found, dict)
    return found


@pytest.fixture
def function(resources: dict[str, Any]) -> dict[str, Any]:
    assert resources[FUNCTION]["Type"] == "AWS::Serverless::Function"
    properties = resources[FUNCTION]["Properties"]
    assert isinstance(properties, dict)
    return properties


@pytest.fixture
def api(resources: dict[str, Any]) -> dict[str, Any]:
    assert resources[API]["Type"] == "AWS::Serverless::Api"
    properties = resources[API]["Properties"]
    assert isinstance(properties, dict)
    return properties


def _events_of_type(function: dict[str, Any], event_type: str) -> list[dict[str, Any]]:
    return [event["Properties"] for event in function["Events"].values() if event["Type"] == event_type]


def _route_event(function: dict[str, Any]) -> dict[str, Any]:
    (route,) = _events_of_type(function, "Api")
    return route


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


# --- Template: shape and parameters --------------------------------------------------------------------


def test_template_is_a_described_sam_template(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert isinstance(template.get("Description"), str)
    assert template["Description"].strip()


def test_secret_arn_parameter_accepts_only_a_full_secretsmanager_arn(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["GenesysSecretArn"]
    assert parameter["Type"] == "String"
    assert "Default" not in parameter, "the secret must be chosen at deploy time"
    pattern = re.compile(parameter["AllowedPattern"])
    accepted = [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/oauth-client-AbC123",
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:genesys-Xy9Z0a",
    ]
    rejected = [
        "",
        "*",
        "genesys/oauth-client",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/oauth",  # no random suffix
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
        "arn:aws:secretsmanager:eu-west-1:*:secret:genesys-AbC123",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/genesys-AbC123",
    ]
    assert [arn for arn in accepted if not pattern.fullmatch(arn)] == []
    assert [arn for arn in rejected if pattern.fullmatch(arn)] == []


def test_request_budget_parameter_stays_under_api_gateway_timeout(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["RequestBudgetSeconds"]
    assert parameter["Type"] == "Number"
    assert (parameter["Default"], parameter["MinValue"], parameter["MaxValue"]) == (10, 1, 25)
    assert parameter["MaxValue"] < API_GATEWAY_TIMEOUT_SECONDS


def test_operational_parameters_have_their_defaults(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    assert parameters["StageName"]["Default"] == "prod"
    assert parameters["HealthCheckSchedule"]["Default"] == "rate(5 minutes)"
    assert parameters["LogRetentionInDays"]["Default"] == 30
    assert parameters["LogRetentionInDays"]["AllowedValues"] == CLOUDWATCH_RETENTION_DAYS
    assert parameters["AlarmTopicArn"]["Default"] == ""
    assert parameters["ApiRateLimit"] == parameters["ApiRateLimit"] | {"Type": "Number", "Default": 50}
    assert parameters["ApiBurstLimit"] == parameters["ApiBurstLimit"] | {"Type": "Number", "Default": 100}
    assert template["Conditions"]["HasAlarmTopic"] == {
        "Fn::Not": [{"Fn::Equals": [_ref("AlarmTopicArn"), ""]}]
    }


def test_schedule_parameter_pattern_accepts_rate_and_cron(template: dict[str, Any]) -> None:
    pattern = re.compile(template["Parameters"]["HealthCheckSchedule"]["AllowedPattern"])
    assert pattern.fullmatch("rate(5 minutes)")
    assert pattern.fullmatch("cron(0/5 * * * ? *)")
    assert not pattern.fullmatch("every 5 minutes")


# --- Template: the function ----------------------------------------------------------------------------


def test_function_runtime_settings(function: dict[str, Any]) -> None:
    assert function["CodeUri"] == "src/handler/"
    assert function["Handler"] == "app.lambda_handler"
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Tracing"] == "Active"
    assert function["MemorySize"] == 512


def test_function_is_built_by_its_makefile(resources: dict[str, Any]) -> None:
    # src/handler/Makefile: Lambda-platform wheels, unchecked hash-based bytecode, nothing unneeded.
    assert resources[FUNCTION]["Metadata"] == {"BuildMethod": "makefile"}
    makefile = (REPO_ROOT / "src" / "handler" / "Makefile").read_text(encoding="utf-8")
    assert f"build-{FUNCTION}:" in makefile
    assert "--invalidation-mode unchecked-hash" in makefile


def test_snapstart_on_published_versions_behind_an_alias(function: dict[str, Any]) -> None:
    assert function["AutoPublishAlias"] == "live"
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_function_timeout_outlasts_the_largest_budget_but_not_api_gateway(
    template: dict[str, Any], function: dict[str, Any]
) -> None:
    max_budget = template["Parameters"]["RequestBudgetSeconds"]["MaxValue"]
    timeout = function["Timeout"]
    assert isinstance(timeout, int)
    assert max_budget + RESPONSE_MARGIN_SECONDS < timeout < API_GATEWAY_TIMEOUT_SECONDS


@pytest.mark.parametrize("setting", ["MemorySize", "Timeout"])
def test_memory_and_timeout_choices_are_explained_in_a_comment(setting: str) -> None:
    lines = TEMPLATE_PATH.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{setting}:"))
    comment = []
    for line in reversed(lines[:index]):
        if not line.strip().startswith("#"):
            break
        comment.append(line)
    assert len(comment) >= 3, f"{setting} needs a comment above it that justifies the value"


def test_function_environment(function: dict[str, Any]) -> None:
    assert function["Environment"]["Variables"] == {
        "GENESYS_SECRET_ID": _ref("GenesysSecretArn"),
        "REQUEST_BUDGET_SECONDS": _ref("RequestBudgetSeconds"),
        "POWERTOOLS_SERVICE_NAME": "genesys-participant-data",
        "POWERTOOLS_METRICS_NAMESPACE": "GenesysParticipantData",
        "LOG_LEVEL": "INFO",
    }


def _statements(function: dict[str, Any]) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Every statement of the function's inline policies, with the condition that guards it (if any)."""
    policies = function["Policies"]
    assert isinstance(policies, list)
    for policy in policies:
        # Only inline Statement policies: no managed policies and no SAM policy templates.
        assert isinstance(policy, dict), f"not an inline policy: {policy!r}"
        assert "Statement" in policy, f"not an inline Statement policy: {policy!r}"
        for statement in policy["Statement"]:
            if "Fn::If" in statement:
                condition, when_true, when_false = statement["Fn::If"]
                assert when_false == _ref("AWS::NoValue")
                yield condition, when_true
            else:
                yield None, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_function_may_only_read_the_genesys_secret(function: dict[str, Any]) -> None:
    unconditional = [statement for condition, statement in _statements(function) if condition is None]
    assert [
        (statement["Effect"], _as_list(statement["Action"]), _as_list(statement["Resource"]))
        for statement in unconditional
    ] == [("Allow", ["secretsmanager:GetSecretValue"], [_ref("GenesysSecretArn")])]


def test_kms_decrypt_only_for_an_optional_customer_managed_key(
    template: dict[str, Any], function: dict[str, Any]
) -> None:
    conditional = [(condition, statement) for condition, statement in _statements(function) if condition]
    for condition, statement in conditional:
        assert condition == "HasSecretKmsKey"
        assert _as_list(statement["Action"]) == ["kms:Decrypt"]
        assert _as_list(statement["Resource"]) == [_ref("SecretKmsKeyArn")]
        assert "kms:ViaService" in statement["Condition"]["StringEquals"]
    if conditional:
        assert template["Parameters"]["SecretKmsKeyArn"]["Default"] == ""


def test_no_wildcards_in_the_function_policies(function: dict[str, Any]) -> None:
    for _, statement in _statements(function):
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        assert statement["Effect"] == "Allow"
        for text in _strings([statement["Action"], statement["Resource"]]):
            assert "*" not in text, f"wildcard in {statement!r}"


def test_scheduled_health_check_uses_the_classic_event_shape(function: dict[str, Any]) -> None:
    (schedule,) = _events_of_type(function, "Schedule")
    assert schedule["Schedule"] == _ref("HealthCheckSchedule")
    assert schedule.get("Enabled", True) is True
    # With an Input or InputTransformer the function would not get the {"source": "aws.events"} event.
    assert not {"Input", "InputPath", "InputTransformer"} & set(schedule)


def test_log_group_for_the_function(resources: dict[str, Any]) -> None:
    log_group = resources[f"{FUNCTION}LogGroup"]["Properties"]
    assert log_group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{FUNCTION}}}"}
    assert log_group["RetentionInDays"] == _ref("LogRetentionInDays")


# --- Template: the API ---------------------------------------------------------------------------------


def test_route_requires_an_api_key(function: dict[str, Any]) -> None:
    route = _route_event(function)
    assert route["RestApiId"] == _ref(API)
    assert route["Path"] == ROUTE
    assert route["Method"].upper() == METHOD
    assert route["Auth"]["ApiKeyRequired"] is True


def test_api_requires_an_api_key_by_default_and_traces(api: dict[str, Any]) -> None:
    assert api["Auth"]["ApiKeyRequired"] is True
    assert api["StageName"] == _ref("StageName")
    assert api["TracingEnabled"] is True


def test_api_usage_plan_and_stage_throttling(api: dict[str, Any]) -> None:
    usage_plan = api["Auth"]["UsagePlan"]
    assert usage_plan["CreateUsagePlan"] == "PER_API"
    assert usage_plan["Throttle"] == {"RateLimit": _ref("ApiRateLimit"), "BurstLimit": _ref("ApiBurstLimit")}
    assert usage_plan["Quota"]["Period"] in {"DAY", "WEEK", "MONTH"}
    assert usage_plan["Quota"]["Limit"] > 0
    assert {
        "ThrottlingRateLimit": _ref("ApiRateLimit"),
        "ThrottlingBurstLimit": _ref("ApiBurstLimit"),
    }.items() <= api["MethodSettings"][0].items()


def test_outputs(template: dict[str, Any]) -> None:
    outputs = {name: output["Value"] for name, output in template["Outputs"].items()}
    assert outputs["ParticipantDataApiUrl"] == {
        "Fn::Sub": "https://${ParticipantDataApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}"
        + ROUTE
    }
    assert outputs["ParticipantDataApiKeyId"] == _ref("ParticipantDataApiApiKey")
    assert outputs["ParticipantDataFunctionArn"] == {"Ref": f"{FUNCTION}.Alias"}


# --- Sample events -------------------------------------------------------------------------------------


def _event_files() -> list[Path]:
    return sorted(EVENTS_DIR.glob("*.json"))


def _load_event(path: Path) -> dict[str, Any]:
    event = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(event, dict), f"{path.name} is not a JSON object"
    return event


def _concrete_path(path_parameters: dict[str, str]) -> str:
    return ROUTE.format(**path_parameters)


def _body(event: dict[str, Any]) -> Any:
    raw = event["body"]
    text = base64.b64decode(raw).decode() if event["isBase64Encoded"] else raw
    return json.loads(text)


def test_every_expected_event_file_exists() -> None:
    missing = EXPECTED_EVENT_FILES - {path.name for path in _event_files()}
    assert not missing, f"missing event files: {sorted(missing)}"
    assert (EVENTS_DIR / "README.md").is_file()


@pytest.mark.parametrize("path", _event_files(), ids=lambda path: path.name)
def test_event_is_json_of_a_known_shape(path: Path) -> None:
    event = _load_event(path)
    shapes = {
        "REST API": "httpMethod" in event and "resource" in event,
        "HTTP API": event.get("version") == "2.0" and "routeKey" in event,
        "direct invocation": {"conversationId", "participantId", "attributes"} <= set(event),
        "scheduled": event.get("source") == "aws.events",
    }
    assert sum(shapes.values()) == 1, f"{path.name}: not exactly one known event shape: {shapes}"


@pytest.mark.parametrize(
    ("name", "participant_id", "base64_body"),
    [
        ("api-gateway-rest.json", PARTICIPANT_ID, False),
        ("api-gateway-rest-base64.json", PARTICIPANT_ID, True),
        ("api-gateway-rest-customer-alias.json", "customer", False),
    ],
)
def test_rest_api_event_matches_the_template_route(
    function: dict[str, Any], name: str, participant_id: str, base64_body: bool
) -> None:
    event = _load_event(EVENTS_DIR / name)
    route = _route_event(function)
    path_parameters = {"conversationId": CONVERSATION_ID, "participantId": participant_id}
    assert event["resource"] == event["requestContext"]["resourcePath"] == route["Path"]
    assert event["httpMethod"] == event["requestContext"]["httpMethod"] == route["Method"].upper()
    assert event["pathParameters"] == path_parameters
    assert event["path"] == _concrete_path(path_parameters)
    assert event["requestContext"]["path"] == f"/{event['requestContext']['stage']}{event['path']}"
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["headers"]["x-api-key"] == event["requestContext"]["identity"]["apiKey"]
    assert event["requestContext"]["requestId"]
    assert event["isBase64Encoded"] is base64_body
    assert _body(event) == SAMPLE_BODY


def test_http_api_event_matches_the_template_route(function: dict[str, Any]) -> None:
    event = _load_event(EVENTS_DIR / "api-gateway-http.json")
    route = _route_event(function)
    path_parameters = {"conversationId": CONVERSATION_ID, "participantId": PARTICIPANT_ID}
    assert event["version"] == "2.0"
    assert (
        event["routeKey"]
        == event["requestContext"]["routeKey"]
        == f"{route['Method'].upper()} {route['Path']}"
    )
    assert event["requestContext"]["http"]["method"] == route["Method"].upper()
    assert event["pathParameters"] == path_parameters
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == _concrete_path(path_parameters)
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-api-key"]
    assert _body(event) == SAMPLE_BODY


def test_direct_invocation_event() -> None:
    event = _load_event(EVENTS_DIR / "direct-invocation.json")
    assert event == {"conversationId": CONVERSATION_ID, "participantId": PARTICIPANT_ID} | SAMPLE_BODY


def test_scheduled_event() -> None:
    event = _load_event(EVENTS_DIR / "scheduled.json")
    assert (event["source"], event["detail-type"], event["detail"]) == ("aws.events", "Scheduled Event", {})
    assert event["resources"][0].startswith("arn:aws:events:")


# --- SAM CLI and cfn-lint ------------------------------------------------------------------------------


def _sam_executable() -> Path:
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
    python = _sam_executable().parent / "python"
    if not python.is_file():
        pytest.fail(f"no Python next to the SAM CLI ({python}): cannot run {LINT_SCRIPT.name}")
    return python


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment |= {"SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_sam_validate_lint_passes() -> None:
    result = _run(
        [
            str(_sam_executable()),
            "validate",
            "--lint",
            "--template",
            str(TEMPLATE_PATH),
            "--region",
            "us-east-1",
        ]
    )
    assert result.returncode == 0, _explain(result)


@cache
def _translate_and_lint(*parameters: str) -> subprocess.CompletedProcess[str]:
    arguments = [f"--parameter={parameter}" for parameter in parameters]
    return _run([str(_sam_python()), str(LINT_SCRIPT), str(TEMPLATE_PATH), "--show", *arguments])


def _translated(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, _explain(result)
    start = result.stdout.index("{")
    decoded, _ = json.JSONDecoder().raw_decode(result.stdout[start:])
    assert isinstance(decoded, dict)
    return decoded


def test_translated_template_lints_clean_with_defaults() -> None:
    _translated(_translate_and_lint())


def test_translated_template_lints_clean_with_the_optional_parameters_set() -> None:
    result = _translate_and_lint(
        "AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:genesys-alarms",
        "AlarmEmail=oncall@example.com",
        "DeploymentType=AllAtOnce",
        "SecretKmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "StageName=live",
    )
    _translated(result)


def test_translated_template_has_the_generated_api_key_and_usage_plan() -> None:
    generated = {name: body["Type"] for name, body in _translated(_translate_and_lint())["Resources"].items()}
    assert generated["ParticipantDataApiApiKey"] == "AWS::ApiGateway::ApiKey"
    assert generated["ParticipantDataApiUsagePlan"] == "AWS::ApiGateway::UsagePlan"
    assert generated["ParticipantDataApiUsagePlanKey"] == "AWS::ApiGateway::UsagePlanKey"
    assert generated[f"{FUNCTION}Role"] == "AWS::IAM::Role"
    assert "AWS::Events::Rule" in generated.values()


def test_translated_api_and_schedule_invoke_the_alias() -> None:
    # SnapStart applies to published versions only: the events must not invoke $LATEST.
    resources = _translated(_translate_and_lint())["Resources"]
    alias = f"{FUNCTION}Aliaslive"
    assert resources[alias]["Type"] == "AWS::Lambda::Alias"
    integration = json.dumps(resources[API]["Properties"]["Body"]["paths"][ROUTE])
    assert f"${{{alias}}}/invocations" in integration
    (rule,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert [target["Arn"] for target in rule["Targets"]] == [_ref(alias)]
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permissions
    assert all(permission["FunctionName"] == _ref(alias) for permission in permissions)


def test_translated_role_adds_only_logging_and_tracing() -> None:
    role = _translated(_translate_and_lint())["Resources"][f"{FUNCTION}Role"]["Properties"]
    managed = sorted(str(arn).rsplit("/", 1)[-1] for arn in role.get("ManagedPolicyArns", []))
    assert managed == ["AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"]
    (policy,) = role["Policies"]
    (statement, _kms) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"


def test_reserved_concurrency_is_sized_for_one_orgs_data_actions_and_explained(
    function: dict[str, Any],
) -> None:
    # Genesys runs at most 50 data actions at once per org; make load measures 50 containers x 100 calls.
    assert 50 < function["ReservedConcurrentExecutions"] <= 100
    test_memory_and_timeout_choices_are_explained_in_a_comment("ReservedConcurrentExecutions")


def test_every_checkov_skip_in_the_template_gives_its_reason() -> None:
    skips = re.findall(r"#\s*checkov:skip=([A-Z_0-9]+):(.*)", TEMPLATE_PATH.read_text(encoding="utf-8"))
    assert skips, "make lint runs checkov; skipped checks are expected to be justified inline"
    assert all(len(reason.strip()) > 20 for _, reason in skips), skips
    assert "CKV_AWS_115" not in {check for check, _ in skips}  # concurrency is limited, not skipped


def test_translated_api_refuses_calls_without_the_api_key() -> None:
    """In the CloudFormation SAM generates, the PATCH method itself requires the key, and the key is
    attached to the usage plan that throttles and caps it."""
    resources = _translated(_translate_and_lint())["Resources"]
    (rest_api,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    body = rest_api["Properties"]["Body"]
    operation = body["paths"][ROUTE][METHOD.lower()]
    assert {"api_key": []} in operation["security"]
    assert body["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
    }
    assert [path for path, item in body["paths"].items() for verb in item if verb != "parameters"] == [ROUTE]
    plan = resources["ParticipantDataApiUsagePlan"]["Properties"]
    assert set(plan["Throttle"]) == {"RateLimit", "BurstLimit"}
    assert plan["Quota"]["Period"] == "DAY"
    plan_key = resources["ParticipantDataApiUsagePlanKey"]["Properties"]
    assert plan_key["KeyType"] == "API_KEY"


def test_translated_inline_policies_have_no_wildcard_action_or_resource() -> None:
    resources = _translated(_translate_and_lint())["Resources"]
    for name, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in _as_list(policy["PolicyDocument"]["Statement"]):
                text = json.dumps(
                    {k: v for k, v in statement.items() if k in ("Action", "Resource", "Principal")}
                )
                assert "*" not in text, f"wildcard in {name}: {statement}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
