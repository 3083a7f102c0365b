"""What to enter in the two Genesys Cloud integrations the data actions run under.

The action files hold the request; the credential belongs to the integration (Admin > Integrations), so
it is printed rather than written: the AWS Lambda Data Actions integration takes the ARN of the role
Genesys assumes (stack output GenesysInvocationRoleArn), the Web Services one the API key. The credential
type and its field follow Genesys's own Terraform module for the Lambda integration (GenesysCloudDevOps
`integration-lambda-module`: credential type `amazonWebServicesARN`, field `ARN`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api_contracts.data_actions import CREDENTIAL_FIELD, FUNCTION_ARN_PLACEHOLDER
from api_contracts.files import LAMBDA_PATH, WEB_SERVICES_PATH

ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):role/[\w+=,.@/-]{1,512}$")
FUNCTION_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):lambda:[a-z0-9-]+:(?P<account>[0-9]{12}):function:"
)


@dataclass(frozen=True, slots=True)
class IntegrationOptions:
    role_arn: str | None = None
    function_arn: str = FUNCTION_ARN_PLACEHOLDER

    def __post_init__(self) -> None:
        if self.role_arn is None:
            return
        role = ROLE_ARN.match(self.role_arn)
        if role is None:
            raise ValueError(f"{self.role_arn!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        function = FUNCTION_ARN.match(self.function_arn)
        # The stack creates the role next to the function, and the role's policy names that function only.
        where = ("partition", "account")
        if function is not None and function.group(*where) != role.group(*where):
            raise ValueError("role and function are in different AWS accounts: take both from one stack")


def setup_text(options: IntegrationOptions) -> str:
    role_arn = options.role_arn or (
        "<the stack output GenesysInvocationRoleArn> (deploy with GenesysOrganizationId set, "
        "then: make data-actions ROLE_ARN=<it>)"
    )
    return "\n".join(
        [
            "Genesys Cloud, Admin > Integrations: one integration per data action file.",
            "",
            f"AWS Lambda Data Actions (import {LAMBDA_PATH.name} into it)",
            f"  Credentials: type Amazon Web Services ARN, ARN = {role_arn}",
            f"  The action invokes {options.function_arn}",
            "  (Genesys's help asks for the function in the Genesys org's AWS region: docs/deploying.md).",
            "",
            f"Web Services Data Actions (import {WEB_SERVICES_PATH.name} into it)",
            f"  Credentials: type User Defined, field {CREDENTIAL_FIELD} = the API key:",
            "  aws apigateway get-api-key --include-value --api-key <stack output ParticipantDataApiKeyId> "
            "--query value --output text",
        ]
    )
