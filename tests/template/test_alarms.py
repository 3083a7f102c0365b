"""The alarms in template.yaml: what pages, on which metrics (ones the code really emits), with which
thresholds, and where the page goes. The rollback alarm of gradual deploys: tests/template/test_deployment.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from participant_data.observability import FUNCTION_VERSION_DIMENSION, MetricName
from tests.template.sam import translate_and_lint, translated
from tests.template.substitution import sub_text

FUNCTION = "ParticipantDataFunction"
PAGING = "ParticipantDataPagingAlarm"
ROLLBACK = "ParticipantDataNewVersionAlarm"
TOPIC = "ParticipantDataAlarmTopic"
KEY = "ParticipantDataAlarmKey"
# What pages, one alarm per way callers get hurt.
PAGED = {
    "ParticipantDataServiceFaultsAlarm",
    "ParticipantDataApi5xxAlarm",
    "ParticipantDataThrottlesAlarm",
    "ParticipantDataErrorsAlarm",
    "ParticipantDataHealthCheckAlarm",
}
# With OutboxEnabled (the default), the outbox's alarms page too: queued writes not being applied, given
# up on, or a crashing worker (tests/template/test_outbox.py checks them).
OUTBOX_PAGED = {"OutboxOldestWriteAlarm", "OutboxDeadLetterAlarm", "OutboxWorkerErrorsAlarm"}
# Rate alarms: 1-minute periods, 3 bad minutes of the last 5.
RATE_ALARMS = PAGED - {"ParticipantDataHealthCheckAlarm"}
ALARM_TYPES = {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}
_ALARM_REFERENCE = re.compile(r'ALARM\("\$\{(\w+)\.Arn\}"\)')
_RATE = re.compile(r"rate\((\d+) minutes?\)")


def alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] in ALARM_TYPES}


def watched_metrics(alarm: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every metric an alarm reads: {Namespace, MetricName, Dimensions, Period, Stat}."""
    if "MetricName" in alarm:
        yield {
            "Namespace": alarm["Namespace"],
            "MetricName": alarm["MetricName"],
            "Dimensions": alarm["Dimensions"],
            "Period": alarm["Period"],
            "Stat": alarm["Statistic"],
        }
    for query in alarm.get("Metrics", []):
        if "MetricStat" in query:
            stat = query["MetricStat"]
            yield stat["Metric"] | {"Period": stat["Period"], "Stat": stat["Stat"]}


def dimensions(metric: dict[str, Any]) -> dict[str, Any]:
    return {dimension["Name"]: dimension["Value"] for dimension in metric["Dimensions"]}


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def test_the_stack_has_the_paging_alarms_the_composite_and_the_rollback_alarm(
    resources: dict[str, Any],
) -> None:
    assert set(alarms(resources)) == PAGED | OUTBOX_PAGED | {PAGING, ROLLBACK}
    assert resources[PAGING]["Type"] == "AWS::CloudWatch::CompositeAlarm"
    assert {resources[name].get("Condition") for name in OUTBOX_PAGED} == {"HasOutbox"}


def test_alarms_on_the_services_own_metrics_watch_what_the_code_emits(
    resources: dict[str, Any], environment: dict[str, Any]
) -> None:
    own = [
        metric
        for alarm in alarms(resources).values()
        for metric in watched_metrics(alarm)
        if not metric["Namespace"].startswith("AWS/")
    ]
    assert {metric["MetricName"] for metric in own} == {
        MetricName.SERVICE_FAULTS,
        MetricName.REJECTED_INVOCATIONS,
        MetricName.HEALTH_CHECK_HEALTHY,
    }
    for metric in own:
        assert metric["Namespace"] == environment["POWERTOOLS_METRICS_NAMESPACE"]
        assert metric["MetricName"] in set(MetricName)
        found = dimensions(metric)
        assert found.pop("service") == environment["POWERTOOLS_SERVICE_NAME"]
        assert set(found) <= {FUNCTION_VERSION_DIMENSION}


def test_only_the_composite_alarm_notifies(resources: dict[str, Any]) -> None:
    """One incident shows in several alarms at once; it pages once."""
    for name, alarm in alarms(resources).items():
        actions = {key for key in ("AlarmActions", "OKActions", "InsufficientDataActions") if key in alarm}
        assert actions == ({"AlarmActions", "OKActions"} if name == PAGING else set()), name


@pytest.mark.parametrize("outbox", [True, False])
def test_the_composite_pages_when_any_paging_alarm_is_in_alarm_and_never_for_a_rollback(
    resources: dict[str, Any], outbox: bool
) -> None:
    # The outbox's alarms are named only when they exist (a rule naming a missing alarm fails the deploy).
    rule = sub_text(resources[PAGING]["Properties"]["AlarmRule"], {"HasOutbox": outbox})
    paged = PAGED | OUTBOX_PAGED if outbox else PAGED
    referenced = _ALARM_REFERENCE.findall(rule)
    assert set(referenced) == paged
    assert len(referenced) == len(paged)
    assert _ALARM_REFERENCE.sub("", rule).split() == ["OR"] * (len(paged) - 1)


def test_the_page_goes_to_the_stacks_topic_and_the_optional_existing_one(resources: dict[str, Any]) -> None:
    composite = resources[PAGING]["Properties"]
    expected = [_ref(TOPIC), {"Fn::If": ["HasAlarmTopic", _ref("AlarmTopicArn"), _ref("AWS::NoValue")]}]
    assert composite["AlarmActions"] == composite["OKActions"] == expected
    assert composite.get("ActionsEnabled", True) is True


@pytest.mark.parametrize("name", sorted(RATE_ALARMS))
def test_rate_alarms_page_for_3_bad_minutes_of_5_not_for_one_blip(
    resources: dict[str, Any], name: str
) -> None:
    alarm = resources[name]["Properties"]
    for metric in watched_metrics(alarm):
        assert (metric["Period"], metric["Stat"]) == (60, "Sum")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (5, 3)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert alarm["TreatMissingData"] == "notBreaching"  # no data is no traffic


def test_service_faults_are_counted_for_the_whole_fleet(resources: dict[str, Any]) -> None:
    (metric,) = watched_metrics(resources["ParticipantDataServiceFaultsAlarm"]["Properties"])
    assert metric["MetricName"] == MetricName.SERVICE_FAULTS
    assert set(dimensions(metric)) == {"service"}


def test_api_5xx_is_the_stacks_api_stage(resources: dict[str, Any]) -> None:
    (metric,) = watched_metrics(resources["ParticipantDataApi5xxAlarm"]["Properties"])
    assert (metric["Namespace"], metric["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    api_name = resources["ParticipantDataApi"]["Properties"]["Name"]
    assert dimensions(metric) == {"ApiName": api_name, "Stage": _ref("StageName")}


def test_throttles_are_the_functions(resources: dict[str, Any]) -> None:
    (metric,) = watched_metrics(resources["ParticipantDataThrottlesAlarm"]["Properties"])
    assert (metric["Namespace"], metric["MetricName"]) == ("AWS/Lambda", "Throttles")
    assert dimensions(metric) == {"FunctionName": _ref(FUNCTION)}


def test_lambda_errors_leave_out_the_callers_own_mistakes(resources: dict[str, Any]) -> None:
    alarm = resources["ParticipantDataErrorsAlarm"]["Properties"]
    queries = {query["Id"]: query for query in alarm["Metrics"]}
    errors, rejected = (queries[key]["MetricStat"]["Metric"] for key in ("errors", "rejected"))
    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
    assert dimensions(errors) == {"FunctionName": _ref(FUNCTION)}
    assert rejected["MetricName"] == MetricName.REJECTED_INVOCATIONS
    assert set(dimensions(rejected)) == {"service"}  # the fleet's, like Errors here
    (returned,) = [query for query in alarm["Metrics"] if query["ReturnData"]]
    assert returned["Expression"] == "errors - FILL(rejected, 0)"


def test_the_health_check_pages_after_two_bad_or_missing_periods(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    alarm = resources["ParticipantDataHealthCheckAlarm"]["Properties"]
    (metric,) = watched_metrics(alarm)
    assert (metric["MetricName"], metric["Stat"]) == (MetricName.HEALTH_CHECK_HEALTHY, "Minimum")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (2, 2)
    # A schedule that stopped, or checks that die before reporting, are failures too.
    assert alarm["TreatMissingData"] == "breaching"
    # ... so every period must hold a check when the schedule runs: the default fits the period.
    minutes = _RATE.fullmatch(template["Parameters"]["HealthCheckSchedule"]["Default"])
    assert minutes is not None
    assert int(minutes[1]) * 60 <= metric["Period"]


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(resources: dict[str, Any]) -> None:
    """CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns: its key policy cannot
    grant CloudWatch the key, and the page is lost (docs/genesys-facts.md#alarm-topic-encryption)."""
    topic = resources[TOPIC]
    assert topic["Type"] == "AWS::SNS::Topic"
    assert topic["Properties"]["KmsMasterKeyId"] == _ref(KEY)
    key = resources[KEY]["Properties"]
    assert resources[KEY]["Type"] == "AWS::KMS::Key"
    assert key["EnableKeyRotation"] is True
    statements = key["KeyPolicy"]["Statement"]
    (cloudwatch,) = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert (cloudwatch["Effect"], sorted(cloudwatch["Action"])) == (
        "Allow",
        ["kms:Decrypt", "kms:GenerateDataKey*"],
    )
    principals = [statement["Principal"] for statement in statements]
    assert "*" not in principals
    assert {"AWS": "*"} not in principals


def test_an_email_is_subscribed_only_when_given(template: dict[str, Any], resources: dict[str, Any]) -> None:
    (subscription,) = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": _ref(TOPIC),
        "Protocol": "email",
        "Endpoint": _ref("AlarmEmail"),
    }
    assert template["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [_ref("AlarmEmail"), ""]}]}


def test_the_email_parameter_accepts_an_address_or_nothing(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["AlarmEmail"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert [
        v for v in ["", "oncall@example.com", "team+pager@ops.example.co.uk"] if not pattern.fullmatch(v)
    ] == []
    assert [v for v in ["oncall", "on call@example.com", "@example.com", "a@b"] if pattern.fullmatch(v)] == []


def _evaluate(expression: Any, parameters: dict[str, str]) -> Any:
    """The rule functions the template's assertion uses (CloudFormation's Rules evaluate them at deploy)."""
    if isinstance(expression, str):
        return expression
    ((function, argument),) = expression.items()
    if function == "Ref":
        return parameters[argument]
    values = [_evaluate(item, parameters) for item in argument]
    if function == "Fn::Equals":
        return values[0] == values[1]
    if function == "Fn::Not":
        return not values[0]
    if function == "Fn::Or":
        return any(values)
    assert function == "Fn::And", f"not a rule function this test knows: {function}"
    return all(values)


@pytest.mark.parametrize(
    ("email", "topic", "accepted"),
    [
        ("", "", False),
        ("oncall@example.com", "", True),
        ("", "arn:aws:sns:eu-west-1:123456789012:pager", True),
        ("oncall@example.com", "arn:aws:sns:eu-west-1:123456789012:pager", True),
    ],
)
def test_a_stack_that_would_page_no_one_is_refused(
    template: dict[str, Any], email: str, topic: str, accepted: bool
) -> None:
    parameters = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
    parameters |= {"AlarmEmail": email, "AlarmTopicArn": topic}
    assertions = [a for rule in template["Rules"].values() for a in rule["Assertions"]]
    assert assertions
    assert all(a["AssertDescription"] for a in assertions)
    assert all(_evaluate(a["Assert"], parameters) for a in assertions) is accepted


def test_outputs_name_the_paging_alarm_and_the_topic(template: dict[str, Any]) -> None:
    outputs = {name: output["Value"] for name, output in template["Outputs"].items()}
    assert outputs["ParticipantDataPagingAlarmName"] == _ref(PAGING)
    assert outputs["ParticipantDataAlarmTopicArn"] == _ref(TOPIC)
    assert outputs["ParticipantDataErrorsAlarmName"] == _ref("ParticipantDataErrorsAlarm")


def test_translated_alarms_and_topic_exist_with_an_email_and_a_topic_given() -> None:
    resources = translated(
        translate_and_lint(
            "AlarmEmail=oncall@example.com", "AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:pager"
        )
    )["Resources"]
    kinds = {name: resource["Type"] for name, resource in resources.items()}
    assert {name for name, kind in kinds.items() if kind in ALARM_TYPES} == PAGED | OUTBOX_PAGED | {
        PAGING,
        ROLLBACK,
    }
    assert kinds["ParticipantDataAlarmEmailSubscription"] == "AWS::SNS::Subscription"
    assert kinds[TOPIC] == "AWS::SNS::Topic"
