"""The role Genesys Cloud assumes to invoke the function (AWS Lambda data actions), as CloudFormation would
create it from the translated template for each choice of parameters (tests/template/cloudformation.py).

Genesys Cloud Resource Center, "Create IAM resources to invoke an AWS Lambda function": Genesys's AWS
account is the trusted principal, the org ID is the external ID, and the role may invoke the function.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from tests.template.cloudformation import Deployment, deploy
from tests.template.sam import translate_and_lint, translated

ROLE = "GenesysInvocationRole"
OUTPUT = "GenesysInvocationRoleArn"
ORG_ID = "9a3c2f1e-5b7d-4e6f-8a9b-0c1d2e3f4a5b"
GENESYS_ACCOUNTS = {"commercial": "765628985471", "fedramp": "325654371633"}


@cache
def _translated_template() -> dict[str, Any]:
    return translated(translate_and_lint())


def _deploy(pseudo_parameters: dict[str, str] | None = None, **parameters: str) -> Deployment:
    return deploy(_translated_template(), parameters, pseudo_parameters)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _live_alias(deployment: Deployment) -> str:
    (alias,) = [
        name
        for name, body in deployment.of_type("AWS::Lambda::Alias").items()
        if body["Properties"]["Name"] == "live"
    ]
    return alias


def test_no_role_and_no_output_without_an_org_id() -> None:
    deployment = _deploy()
    assert ROLE not in deployment.resources
    assert OUTPUT not in deployment.outputs
    # The stack's other roles (the function's, SAM's CodeDeploy role) trust no other account.
    for body in deployment.of_type("AWS::IAM::Role").values():
        for statement in _as_list(body["Properties"]["AssumeRolePolicyDocument"]["Statement"]):
            assert "AWS" not in statement.get("Principal", {}), statement


@pytest.mark.parametrize("org_id", [ORG_ID, ORG_ID.upper()])
def test_the_org_id_parameter_accepts_a_uuid(org_id: str) -> None:
    assert ROLE in _deploy(GenesysOrganizationId=org_id).resources


@pytest.mark.parametrize(
    "not_an_org_id",
    [
        "my-org",
        ORG_ID.replace("-", ""),
        f" {ORG_ID}",
        f"{ORG_ID}\n",
        ORG_ID[:-1] + "g",
        "765628985471",
    ],
)
def test_the_org_id_parameter_refuses_anything_else(not_an_org_id: str) -> None:
    with pytest.raises(ValueError, match="AllowedPattern"):
        _deploy(GenesysOrganizationId=not_an_org_id)


@pytest.mark.parametrize("partition", sorted(GENESYS_ACCOUNTS))
@pytest.mark.parametrize("aws_partition", ["aws", "aws-us-gov"])
def test_only_genesys_account_for_the_chosen_partition_may_assume_it_with_the_org_id(
    partition: str, aws_partition: str
) -> None:
    deployment = _deploy(
        {"AWS::Partition": aws_partition}, GenesysOrganizationId=ORG_ID, GenesysCloudPartition=partition
    )
    trust = deployment.resources[ROLE]["Properties"]["AssumeRolePolicyDocument"]
    (statement,) = _as_list(trust["Statement"])
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": f"arn:{aws_partition}:iam::{GENESYS_ACCOUNTS[partition]}:root"}
    assert _as_list(statement["Action"]) == ["sts:AssumeRole"]
    # The external ID is what keeps another Genesys org (same Genesys account) from using the role.
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": ORG_ID}}


def test_the_partition_parameter_offers_exactly_the_mapped_genesys_accounts() -> None:
    template = _translated_template()
    choices = template["Parameters"]["GenesysCloudPartition"]["AllowedValues"]
    mapping = template["Mappings"]["GenesysCloudAccounts"]
    assert sorted(choices) == sorted(mapping) == sorted(GENESYS_ACCOUNTS)
    assert {name: row["AccountId"] for name, row in mapping.items()} == GENESYS_ACCOUNTS
    with pytest.raises(ValueError, match="not one of"):
        _deploy(GenesysOrganizationId=ORG_ID, GenesysCloudPartition="govcloud")


def test_the_role_may_only_invoke_the_live_alias() -> None:
    deployment = _deploy(GenesysOrganizationId=ORG_ID)
    properties = deployment.resources[ROLE]["Properties"]
    assert not properties.get("ManagedPolicyArns")
    assert "PermissionsBoundary" not in properties
    (policy,) = properties["Policies"]
    (statement,) = _as_list(policy["PolicyDocument"]["Statement"])
    assert statement["Effect"] == "Allow"
    assert _as_list(statement["Action"]) == ["lambda:InvokeFunction"]
    # The alias, not the function: an unqualified ARN would also allow $LATEST, which SnapStart skips.
    alias = _live_alias(deployment)
    assert _as_list(statement["Resource"]) == [{"Ref": alias}]
    assert deployment.resources[alias]["Properties"]["FunctionName"] == {"Ref": "ParticipantDataFunction"}


def test_the_role_arn_is_an_output_for_the_genesys_integration() -> None:
    deployment = _deploy(GenesysOrganizationId=ORG_ID)
    output = deployment.outputs[OUTPUT]
    assert output["Value"] == {"Fn::GetAtt": [ROLE, "Arn"]}
    assert "Amazon Web Services ARN" in output["Description"]


def test_the_translated_template_lints_clean_with_the_role_and_the_api_gateway_account_role() -> None:
    translated(
        translate_and_lint(
            f"GenesysOrganizationId={ORG_ID}",
            "GenesysCloudPartition=fedramp",
            "CreateApiGatewayAccountRole=true",
        )
    )
