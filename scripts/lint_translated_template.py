"""Translate a SAM template to plain CloudFormation offline, then lint the result with cfn-lint.

cfn-lint 1.x no longer expands AWS::Serverless::* resources, so `sam validate --lint` never sees the
IAM role, the API Gateway stage, deployment, usage plan and key, the EventBridge rule and the Lambda
permissions that SAM generates. This script runs aws-sam-translator the way `sam validate` does (local
CodeUri/DefinitionUri replaced by a placeholder S3 URI, no AWS credentials, no network) and lints every
generated resource. It exits 0 only when cfn-lint reports no error and no warning.

Run it with the SAM virtualenv, which has aws-sam-translator and cfn-lint:

    .venv-sam/bin/python scripts/lint_translated_template.py template.yaml
    .venv-sam/bin/python scripts/lint_translated_template.py template.yaml \
        --parameter AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:alarms --show
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import boto3
from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped, import-not-found, unused-ignore]
from samtranslator.model.exceptions import (  # type: ignore[import-not-found, unused-ignore]
    InvalidDocumentException,
)
from samtranslator.parser.parser import Parser  # type: ignore[import-not-found, unused-ignore]
from samtranslator.translator.translator import Translator  # type: ignore[import-not-found, unused-ignore]
from samtranslator.yaml_helper import yaml_parse  # type: ignore[import-not-found, unused-ignore]

PLACEHOLDER_S3_URI = "s3://bucket/value"
# The property holding a local path that `sam package` would upload, per SAM resource type.
LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}
# cfn-lint severities that fail the check (informational "I" rules are not run by default).
FAILING_RULE_PREFIXES = ("E", "W")
# Findings the translator itself causes and no template can avoid, ignored only on resources that SAM
# generated (never on a resource declared in the template). W3005: SAM adds a DependsOn next to a Ref
# (usage plan -> API, usage plan key -> API key).
TRANSLATOR_ARTEFACT_RULES = frozenset({"W3005"})


def _replace_local_uri(properties: dict[str, Any], key: str) -> None:
    """Replace a local path by a placeholder S3 URI, as `sam validate` does: the translator wants S3."""
    value = properties.get(key)
    if isinstance(value, str) and not value.startswith("s3://"):
        properties[key] = PLACEHOLDER_S3_URI


def _prepare(template: dict[str, Any]) -> dict[str, Any]:
    function_globals = template.get("Globals", {}).get("Function")
    if isinstance(function_globals, dict) and function_globals.get("PackageType", "Zip") == "Zip":
        _replace_local_uri(function_globals, "CodeUri")
    for resource in template.get("Resources", {}).values():
        if not isinstance(resource, dict):
            continue
        key = LOCAL_URI_PROPERTIES.get(str(resource.get("Type")))
        properties = resource.get("Properties")
        if key is None or not isinstance(properties, dict):
            continue
        if key == "CodeUri" and properties.get("PackageType", "Zip") != "Zip":
            continue
        if key == "DefinitionUri" and key not in properties:
            continue
        _replace_local_uri(properties, key)
    return template


def _no_managed_policy_lookup() -> dict[str, str]:
    """The translator's bundled AWS managed policy list is used first; there is no IAM call offline."""
    return {}


def translate(template_text: str, region: str, parameters: dict[str, str]) -> dict[str, Any]:
    """Translate SAM template text to a CloudFormation template (raises InvalidDocumentException)."""
    sam_template = _prepare(yaml_parse(template_text))
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        plugins=[],
        boto_session=boto3.session.Session(region_name=region),
    )
    translated: dict[str, Any] = translator.translate(
        sam_template=sam_template,
        parameter_values=dict(parameters),
        get_managed_policy_map=_no_managed_policy_lookup,
    )
    return translated


def _is_translator_artefact(match: Any, declared_resources: set[str]) -> bool:
    path = [str(part) for part in match.path]
    return (
        str(match.rule.id) in TRANSLATOR_ARTEFACT_RULES
        and len(path) > 1
        and path[0] == "Resources"
        and path[1] not in declared_resources
    )


def lint_template(
    cloudformation: dict[str, Any], region: str, declared_resources: set[str]
) -> tuple[list[Any], list[Any]]:
    """Run cfn-lint on a translated template: (errors and warnings, ignored translator artefacts)."""
    matches = lint(json.dumps(cloudformation, indent=2), config=ManualArgs(regions=[region]))
    failing = [match for match in matches if str(match.rule.id).startswith(FAILING_RULE_PREFIXES)]
    ignored = [match for match in failing if _is_translator_artefact(match, declared_resources)]
    return [match for match in failing if match not in ignored], ignored


def _describe(match: Any) -> str:
    return f"{match.rule.id} {match.message} ({'/'.join(str(part) for part in match.path)})"


def _parse_parameter(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected Name=Value, got {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("template", type=Path, help="SAM template (YAML or JSON)")
    parser.add_argument("--region", default="us-east-1", help="region to translate and lint for")
    parser.add_argument(
        "--parameter",
        action="append",
        type=_parse_parameter,
        default=[],
        metavar="NAME=VALUE",
        help="template parameter value used by the translation (repeatable)",
    )
    parser.add_argument("--show", action="store_true", help="print the translated template (JSON)")
    args = parser.parse_args(argv)
    # Offline there is no feature-toggle configuration: the translator warns about it for every feature.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)

    template_text = args.template.read_text(encoding="utf-8")
    declared_resources = set(yaml_parse(template_text).get("Resources", {}))
    try:
        cloudformation = translate(template_text, args.region, dict(args.parameter))
    except InvalidDocumentException as error:
        print(f"{args.template}: SAM translation failed: {error}", file=sys.stderr)
        for cause in error.causes:
            print(f"  - {cause}", file=sys.stderr)
        return 1
    if args.show:
        print(json.dumps(cloudformation, indent=2, sort_keys=True))

    findings, ignored = lint_template(cloudformation, args.region, declared_resources)
    for match in ignored:
        print(f"ignored (generated by SAM): {_describe(match)}", file=sys.stderr)
    for match in findings:
        print(_describe(match), file=sys.stderr)
    resource_count = len(cloudformation.get("Resources", {}))
    if findings:
        print(
            f"{args.template}: {len(findings)} cfn-lint finding(s) in the translated template "
            f"({resource_count} resources)",
            file=sys.stderr,
        )
        return 1
    print(f"{args.template}: translated to {resource_count} CloudFormation resources; cfn-lint found nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
