"""Gradual, reversible deploys: CodeDeploy shifts the `live` alias to a new version as DeploymentType says,
and shifts it back when the rollback alarm, which watches that version only, goes off."""

from __future__ import annotations

from typing import Any

import pytest

from participant_data.observability import FUNCTION_VERSION_DIMENSION, MetricName
from tests.template.sam import translate_and_lint, translated
from tests.template.test_alarms import ROLLBACK, dimensions, watched_metrics

FUNCTION = "ParticipantDataFunction"
# SAM's names for CodeDeploy's predefined Lambda deployment configurations (AWS SAM developer guide,
# "DeploymentPreference", Type).
SAM_DEPLOYMENT_TYPES = {
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
    "AllAtOnce",
}
# What SAM makes of `!GetAtt ParticipantDataFunction.Version.Version`: the number of the version it
# publishes, which the alias points at (checked against the translated template below).
NEW_VERSION = {"Fn::GetAtt": [FUNCTION, "Version.Version"]}


@pytest.fixture(scope="module")
def rollback_alarm(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][ROLLBACK]["Properties"]
    return properties


def test_the_live_alias_is_deployed_gradually_and_watched_by_the_rollback_alarm(
    function: dict[str, Any],
) -> None:
    assert function["AutoPublishAlias"] == "live"  # DeploymentPreference needs it
    preference = function["DeploymentPreference"]
    assert preference["Type"] == {"Ref": "DeploymentType"}
    assert preference["Alarms"] == [{"Ref": ROLLBACK}]
    assert preference.get("Enabled", True) is True
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}  # the two work together


def test_the_deployment_type_parameter_offers_sams_types_and_defaults_to_a_canary(
    template: dict[str, Any],
) -> None:
    parameter = template["Parameters"]["DeploymentType"]
    assert parameter["Default"] == "Canary10Percent5Minutes"
    allowed = set(parameter["AllowedValues"])
    assert allowed <= SAM_DEPLOYMENT_TYPES
    assert {"AllAtOnce", "Canary10Percent5Minutes", "Linear10PercentEvery1Minute"} <= allowed


def test_the_rollback_alarm_reads_only_the_new_versions_metrics(rollback_alarm: dict[str, Any]) -> None:
    metrics = {metric["MetricName"]: metric for metric in watched_metrics(rollback_alarm)}
    assert set(metrics) == {MetricName.SERVICE_FAULTS, "Errors", MetricName.REJECTED_INVOCATIONS}
    for name in (MetricName.SERVICE_FAULTS, MetricName.REJECTED_INVOCATIONS):
        assert dimensions(metrics[name])[FUNCTION_VERSION_DIMENSION] == NEW_VERSION
    # Lambda's own metrics per version exist only for invocations through an alias: the live one.
    assert dimensions(metrics["Errors"]) == {
        "FunctionName": {"Ref": FUNCTION},
        "Resource": {"Fn::Sub": f"${{{FUNCTION}}}:live"},
        "ExecutedVersion": NEW_VERSION,
    }
    assert all((metric["Period"], metric["Stat"]) == (60, "Sum") for metric in metrics.values())


def test_any_minute_with_a_fault_of_the_new_version_rolls_back(rollback_alarm: dict[str, Any]) -> None:
    (returned,) = [query for query in rollback_alarm["Metrics"] if query["ReturnData"]]
    assert returned["Expression"] == "FILL(faults, 0) + FILL(errors, 0) - FILL(rejected, 0)"
    assert rollback_alarm["EvaluationPeriods"] == 1
    assert (rollback_alarm["ComparisonOperator"], rollback_alarm["Threshold"]) == (
        "GreaterThanOrEqualToThreshold",
        1,
    )
    assert rollback_alarm["TreatMissingData"] == "notBreaching"  # no calls to the new version yet


# --- What SAM generates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deployment_type", ["Canary10Percent5Minutes", "Linear10PercentEvery1Minute", "AllAtOnce"]
)
def test_translated_deployment_group_shifts_as_chosen_and_rolls_back_on_the_alarm(
    deployment_type: str,
) -> None:
    parameters = (
        () if deployment_type == "Canary10Percent5Minutes" else (f"DeploymentType={deployment_type}",)
    )
    resources = translated(translate_and_lint(*parameters))["Resources"]
    (group,) = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup"
    ]
    config = group["DeploymentConfigName"]["Fn::Sub"]
    assert config == ["CodeDeployDefault.Lambda${ConfigName}", {"ConfigName": deployment_type}]
    assert group["AlarmConfiguration"] == {"Alarms": [{"Name": {"Ref": ROLLBACK}}], "Enabled": True}
    assert group["AutoRollbackConfiguration"]["Enabled"] is True
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]


def test_translated_alias_update_goes_through_codedeploy_and_the_alarm_watches_its_version() -> None:
    resources = translated(translate_and_lint())["Resources"]
    alias = resources[f"{FUNCTION}Aliaslive"]
    (group_name,) = [name for name, r in resources.items() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup"]
    assert alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"] == {"Ref": group_name}
    # The version the alias is moved to is the version the rollback alarm watches, in every metric.
    published = alias["Properties"]["FunctionVersion"]
    (version_resource, _) = published["Fn::GetAtt"]
    assert resources[version_resource]["Type"] == "AWS::Lambda::Version"
    alarm = resources[ROLLBACK]["Properties"]
    watched = [dimensions(metric) for metric in watched_metrics(alarm)]
    versions = [d.get(FUNCTION_VERSION_DIMENSION, d.get("ExecutedVersion")) for d in watched]
    assert versions == [published] * 3
