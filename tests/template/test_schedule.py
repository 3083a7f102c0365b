"""The scheduled health check: the schedule the operator chooses, delivered as the classic EventBridge
`Scheduled Event` the handler recognises, to the alias SnapStart covers. How often it must run for the
health-check alarm: tests/template/test_alarms.py."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.template.cloudformation import deploy
from tests.template.sam import FUNCTION, translated_template

SCHEDULE = "rate(2 minutes)"


def test_the_schedule_parameter_accepts_rate_and_cron_expressions_only(template: dict[str, Any]) -> None:
    # A malformed expression is refused when the stack is created, not by EventBridge halfway through it.
    pattern = re.compile(template["Parameters"]["HealthCheckSchedule"]["AllowedPattern"])
    accepted = ["rate(5 minutes)", "rate(1 minute)", "cron(0/5 * * * ? *)"]
    rejected = ["every 5 minutes", "", "5 minutes"]
    assert [text for text in accepted if not pattern.fullmatch(text)] == []
    assert [text for text in rejected if pattern.fullmatch(text)] == []


def test_translated_rule_runs_the_chosen_schedule_on_the_alias(function: dict[str, Any]) -> None:
    translated = translated_template(f"HealthCheckSchedule={SCHEDULE}")
    deployment = deploy(translated, {"HealthCheckSchedule": SCHEDULE})
    alias = {"Ref": f"{FUNCTION}Alias{function['AutoPublishAlias']}"}
    ((rule_name, rule),) = [
        (name, body)
        for name, body in deployment.of_type("AWS::Events::Rule").items()
        if any(FUNCTION in json.dumps(target["Arn"]) for target in body["Properties"]["Targets"])
    ]
    properties = rule["Properties"]
    assert (properties["ScheduleExpression"], properties["State"]) == (SCHEDULE, "ENABLED")
    assert [target["Arn"] for target in properties["Targets"]] == [alias]
    # With an Input, InputPath or InputTransformer the function would get that instead of EventBridge's own
    # event and take it for a direct invocation (src/handler/app.py routes on the event's `source` and
    # `detail-type`; events/scheduled.json is one).
    assert all(
        not {"Input", "InputPath", "InputTransformer"} & set(target) for target in properties["Targets"]
    )
    permitted = [
        body["Properties"]
        for body in deployment.of_type("AWS::Lambda::Permission").values()
        if body["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert [(p["FunctionName"], p["SourceArn"]) for p in permitted] == [
        (alias, {"Fn::GetAtt": [rule_name, "Arn"]})
    ]
