"""Least privilege: the function may read the one Genesys secret it is told to read (and decrypt it only
with a customer-managed key, only through Secrets Manager); every other grant of every role names a
resource of the stack; no policy holds a wildcard except a KMS key policy's "*", which means that key; the
managed policies are documented ones. The role Genesys assumes: tests/template/test_genesys_role.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.template.cloudformation import Deployment, deploy
from tests.template.sam import FUNCTION, SECRET_ARN, deploy_translated

KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Every optional parameter that adds a resource or a statement, so that every policy is looked at.
EVERYTHING = {
    "GenesysSecretArn": SECRET_ARN,
    "SecretKmsKeyArn": KMS_KEY_ARN,
    "AlarmEmail": "oncall@example.com",
    "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:pager",
    "GenesysOrganizationId": "9a3c2f1e-5b7d-4e6f-8a9b-0c1d2e3f4a5b",
    "CreateApiGatewayAccountRole": "true",
}
# The AWS managed policies a role of the stack may carry, and why. They are AWS's to define, wildcards
# included, so each must be one a service documents as what it needs.
DOCUMENTED_MANAGED_POLICIES = {
    # SAM gives a function's role its logs, and with `Tracing: Active` trace writes (AWS SAM Developer
    # Guide, AWS::Serverless::Function, "Policies" and "Tracing"); X-Ray has no resource-level permissions.
    "AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess",
    # SAM's CodeDeploy role for a DeploymentPreference (docs/genesys-facts.md#sam-deployment-preference).
    "AWSCodeDeployRoleForLambda",
    # API Gateway's account-wide logging role (docs/genesys-facts.md#api-gateway-access-log-role).
    "AmazonAPIGatewayPushToCloudWatchLogs",
}
WILDCARD_FREE_KEYS = ("Action", "Resource", "Principal")
NEGATED_KEYS = ("NotAction", "NotResource", "NotPrincipal")


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


def _policy_statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every statement of every policy document under `node` (role, key, topic policies alike)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                yield from (statement for statement in _as_list(value) if isinstance(statement, dict))
            else:
                yield from _policy_statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from _policy_statements(item)


def _function_statements(deployment: Deployment) -> list[dict[str, Any]]:
    policies = deployment.resources[FUNCTION]["Properties"]["Policies"]
    # Only inline Statement policies: a SAM policy template or a managed policy could grant more.
    assert all(isinstance(policy, dict) and "Statement" in policy for policy in policies), policies
    return [statement for policy in policies for statement in policy["Statement"]]


Grant = tuple[str, list[Any], list[Any]]  # Effect, Actions, Resources


def _grant(statement: dict[str, Any]) -> Grant:
    return statement["Effect"], _as_list(statement["Action"]), _as_list(statement["Resource"])


def _grants(statements: list[dict[str, Any]]) -> list[Grant]:
    return [_grant(statement) for statement in statements]


def _touches(grant: Grant, service: str, resource: str) -> bool:
    _, actions, resources = grant
    return any(str(action).startswith(f"{service}:") for action in actions) or resource in resources


def _names_a_resource_of(deployment: Deployment, reference: Any) -> bool:
    """Whether an IAM Resource is a `Ref` or `Fn::GetAtt` of a resource this stack creates."""
    if not isinstance(reference, dict) or len(reference) != 1:
        return False
    ((function, argument),) = reference.items()
    name = argument if function == "Ref" else argument[0] if function == "Fn::GetAtt" else None
    return name in deployment.resources


@pytest.fixture(scope="module")
def everything() -> Deployment:
    """The translated template deployed with every optional resource and statement."""
    return deploy_translated(**EVERYTHING)


def test_secret_arn_parameter_accepts_only_a_full_secretsmanager_arn(template: dict[str, Any]) -> None:
    # The policy's Resource is this ARN: whatever the pattern lets through, the function may read.
    parameter = template["Parameters"]["GenesysSecretArn"]
    assert "Default" not in parameter, "the secret must be chosen at deploy time"
    pattern = re.compile(parameter["AllowedPattern"])
    accepted = [
        SECRET_ARN,
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


def test_the_function_may_read_exactly_the_secret_it_is_told_to_read(template: dict[str, Any]) -> None:
    deployment = deploy(template, {"GenesysSecretArn": SECRET_ARN})
    grants = _grants(_function_statements(deployment))
    secret_grants = [grant for grant in grants if _touches(grant, "secretsmanager", SECRET_ARN)]
    assert secret_grants == [("Allow", ["secretsmanager:GetSecretValue"], [SECRET_ARN])]
    assert [grant for grant in grants if _touches(grant, "kms", KMS_KEY_ARN)] == []  # no key given
    environment = deployment.resources[FUNCTION]["Properties"]["Environment"]["Variables"]
    assert environment["GENESYS_SECRET_ID"] == SECRET_ARN


def test_a_customer_managed_key_may_decrypt_only_through_secrets_manager(template: dict[str, Any]) -> None:
    deployment = deploy(template, {"GenesysSecretArn": SECRET_ARN, "SecretKmsKeyArn": KMS_KEY_ARN})
    statements = _function_statements(deployment)
    key_statements = [
        statement for statement in statements if _touches(_grant(statement), "kms", KMS_KEY_ARN)
    ]
    assert _grants(key_statements) == [("Allow", ["kms:Decrypt"], [KMS_KEY_ARN])]
    (decrypt,) = key_statements
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }


def test_every_role_grants_only_on_the_secret_its_key_or_what_the_stack_creates(
    everything: Deployment,
) -> None:
    """Whatever role reads the secret reads it only (and decrypts only through Secrets Manager); every
    other grant names a resource of this stack, never one of the account's others."""
    grants = [
        (name, statement)
        for name, role in everything.of_type("AWS::IAM::Role").items()
        for policy in role["Properties"].get("Policies", [])
        for statement in _as_list(policy["PolicyDocument"]["Statement"])
    ]
    assert f"{FUNCTION}Role" in {name for name, _ in grants}
    for name, statement in grants:
        _, actions, resources = _grant(statement)
        if resources == [SECRET_ARN]:
            assert actions == ["secretsmanager:GetSecretValue"], f"{name}: {statement}"
        elif resources == [KMS_KEY_ARN]:
            assert actions == ["kms:Decrypt"], f"{name}: {statement}"
            assert statement["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager."), (
                name
            )
        else:
            outside = [resource for resource in resources if not _names_a_resource_of(everything, resource)]
            assert outside == [], f"{name}: {statement}"


def test_no_policy_of_the_stack_holds_a_wildcard_but_a_key_policys_own_key(everything: Deployment) -> None:
    """In a KMS key policy the Resource "*" means the key itself, and `kms:*` for the account is the default
    policy that lets IAM administer the key (AWS KMS Developer Guide, "Key policies in AWS KMS" and
    "Default key policy"): its actions are checked by test_alarms.py. Anywhere else a wildcard would grant
    more than the stack uses."""
    checked = set()
    for name, body in everything.resources.items():
        is_key = body["Type"] == "AWS::KMS::Key"
        for statement in _policy_statements(body.get("Properties", {})):
            checked.add(body["Type"])
            assert not set(NEGATED_KEYS) & set(statement), f"{name}: {statement}"
            assert statement["Effect"] == "Allow", f"{name}: {statement}"
            if is_key:
                assert statement["Resource"] == "*", f"{name}: {statement}"
                assert all("*" not in text for text in _strings(statement["Principal"])), (
                    f"{name}: {statement}"
                )
                continue
            wildcards = [
                text for key in WILDCARD_FREE_KEYS for text in _strings(statement.get(key)) if "*" in text
            ]
            assert wildcards == [], f"{name}: {statement}"
    assert {"AWS::IAM::Role", "AWS::KMS::Key"} <= checked  # the search found the policies


def test_roles_carry_only_documented_managed_policies(everything: Deployment) -> None:
    managed = {
        (name, str(arn).rsplit("/", 1)[-1])
        for name, body in everything.of_type("AWS::IAM::Role").items()
        for arn in body["Properties"].get("ManagedPolicyArns", [])
    }
    assert {(name, policy) for name, policy in managed if policy not in DOCUMENTED_MANAGED_POLICIES} == set()
    function_role = {policy for name, policy in managed if name == f"{FUNCTION}Role"}
    assert function_role == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
