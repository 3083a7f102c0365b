"""docs/operations.md keeps up with the code: one troubleshooting row per error code, with its status,
Logs Insights queries that filter on messages the service really logs, every alarm of template.yaml
described, every deployment type explained, and the outbox's metrics, drop reasons and alarms in its
section and runbook.

Error codes are collected from the code itself: the `code` of every ServiceError class, and every
`code="..."` passed when one is raised (read from the source with `ast`, so the raising class gives the
status).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

from localdev.template import load_template
from participant_data.errors import ServiceError
from participant_data.logic.apply_queued_writes import DropReason
from participant_data.observability import MetricName

REPO_ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = REPO_ROOT / "docs" / "operations.md"
TEMPLATE = REPO_ROOT / "template.yaml"
PACKAGE = REPO_ROOT / "src" / "handler" / "participant_data"
TABLE_SECTION = "## Troubleshooting by error code"
ALARMS_SECTION = "## Alarms and paging"
DEPLOYS_SECTION = "## Deploys and rollback"
OUTBOX_SECTION = "## The outbox"
DASHBOARD_SECTION = "## The dashboard"
ALARM_TYPES = {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}
_ALARM_ROW = re.compile(r"^\| `(?P<alarm>\w+)` \|", re.MULTILINE)
_ROW = re.compile(r"^\| `(?P<code>[a-z_]+)` \| (?P<status>\d{3}) \|")
_QUERIED_MESSAGE = re.compile(r'message = "([^"]+)"')


def _error_classes() -> dict[str, type[ServiceError]]:
    """ServiceError and its subclasses in the service's package (other packages may subclass it too)."""
    found: dict[str, type[ServiceError]] = {}
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("participant_data."):
            found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def _sources() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "sdk_home" not in path.parts]


@cache
def codes_in_the_code() -> dict[str, int | None]:
    """{code: HTTP status} for every error code the service can answer (None: status not known here)."""
    classes = _error_classes()
    codes: dict[str, int | None] = {cls.code: cls.status for cls in classes.values()}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):  # `code = "..."` in a class not imported here
                for statement in node.body:
                    code = _assigned_code(statement)
                    if code is not None:
                        known = classes.get(node.name)
                        codes.setdefault(code, known.status if known else None)
            elif isinstance(node, ast.Call):  # `SomeError("...", code="...")`
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        raised = classes.get(node.func.id) if isinstance(node.func, ast.Name) else None
                        codes[str(keyword.value.value)] = raised.status if raised else None
    return codes


def _assigned_code(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(statement.value, ast.Constant):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if any(isinstance(target, ast.Name) and target.id == "code" for target in targets):
            return str(statement.value.value)
    return None


def section(title: str) -> str:
    """The text of a `## ` section of docs/operations.md, its subsections included."""
    text = OPERATIONS.read_text(encoding="utf-8")
    assert title in text
    return text.split(title, 1)[1].split("\n## ", 1)[0]


@cache
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def troubleshooting_rows() -> list[tuple[str, int]]:
    rows = [_ROW.match(line) for line in section(TABLE_SECTION).splitlines()]
    return [(row["code"], int(row["status"])) for row in rows if row]


def test_the_collection_finds_class_codes_and_raised_codes() -> None:
    """Guards the collector itself: a broken one would make the next test pass vacuously."""
    codes = codes_in_the_code()
    assert codes["invalid_request"] == 400  # a class's code
    assert codes["genesys_forbidden"] == 502  # code="..." on an UpstreamRejected
    assert codes["customer_not_found"] == 404  # code="..." on a NotFound
    assert len(codes) > len(_error_classes())


def test_every_error_code_has_a_troubleshooting_row_with_its_status() -> None:
    documented = dict(troubleshooting_rows())
    missing = sorted(set(codes_in_the_code()) - set(documented))
    assert not missing, f"docs/operations.md has no troubleshooting row for {missing}"
    wrong = {
        code: (documented[code], status)
        for code, status in codes_in_the_code().items()
        if status is not None and documented[code] != status
    }
    assert not wrong, f"(documented, real) statuses differ: {wrong}"


def test_every_troubleshooting_row_is_a_real_code_listed_once() -> None:
    rows = [code for code, _ in troubleshooting_rows()]
    assert len(rows) == len(set(rows)), "a code has two rows"
    stale = sorted(set(rows) - set(codes_in_the_code()))
    assert not stale, f"rows for codes the service no longer has: {stale}"


def test_queried_log_messages_are_ones_the_service_logs() -> None:
    logged = {
        node.value
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    queried = set(_QUERIED_MESSAGE.findall(OPERATIONS.read_text(encoding="utf-8")))
    assert queried, "the Logs Insights queries filter on messages"
    assert queried <= logged, f"messages no code logs: {sorted(queried - logged)}"


def test_every_alarm_of_the_stack_has_a_row_under_alarms_and_paging() -> None:
    alarms = {name for name, resource in template()["Resources"].items() if resource["Type"] in ALARM_TYPES}
    rows = _ALARM_ROW.findall(section(ALARMS_SECTION))
    assert alarms, "the template defines alarms"
    assert len(rows) == len(set(rows)), "an alarm has two rows"
    assert set(rows) == alarms, f"(documented, in the template): {sorted(set(rows) ^ alarms)}"


def test_the_paging_section_says_where_pages_go() -> None:
    text = section(ALARMS_SECTION)
    outputs = template()["Outputs"]
    for name in ("AlarmEmail", "AlarmTopicArn"):
        assert f"`{name}`" in text
        assert name in template()["Parameters"]
    for output in ("ParticipantDataAlarmTopicArn", "ParticipantDataPagingAlarmName"):
        assert f"`{output}`" in text
        assert output in outputs


def test_every_deployment_type_is_explained_and_the_default_marked() -> None:
    text = section(DEPLOYS_SECTION)
    parameter = template()["Parameters"]["DeploymentType"]
    missing = [value for value in parameter["AllowedValues"] if f"`{value}`" not in text]
    assert not missing, f"deployment types not explained: {missing}"
    assert f"`{parameter['Default']}` (default)" in text
    rollback_alarms = template()["Resources"]["ParticipantDataFunction"]["Properties"]["DeploymentPreference"]
    for alarm in rollback_alarms["Alarms"]:
        assert f"`{alarm['Ref']}`" in text


def _outbox_alarms() -> set[str]:
    resources = template()["Resources"]
    return {
        name
        for name, resource in resources.items()
        if resource["Type"] in ALARM_TYPES and resource.get("Condition") == "HasOutbox"
    }


def test_the_outbox_section_names_every_drop_reason_and_the_dashboard_every_outbox_metric() -> None:
    outbox = section(OUTBOX_SECTION)
    missing = [reason.value for reason in DropReason if f"`{reason.value}`" not in outbox]
    assert not missing, f"drop reasons the outbox section does not explain: {missing}"
    dashboard = section(DASHBOARD_SECTION)
    metrics = [name.value for name in MetricName if name.value.startswith("Outbox")]
    assert metrics, "the code names the outbox's metrics"
    assert [name for name in metrics if f"`{name}`" not in dashboard] == []


def test_the_outbox_runbook_covers_its_alarms_and_the_failures_callers_may_feel() -> None:
    runbook = section(OUTBOX_SECTION).split("### Runbook", 1)[1].split("\n### ", 1)[0]
    rows = {line.split(" | ", 1)[0] for line in runbook.splitlines() if line.startswith("| `")}
    alarms = _outbox_alarms()
    assert alarms, "the template defines the outbox's alarms"
    expected = {f"| `{name}`" for name in alarms}
    expected |= {f"| `{name}` above 0" for name in ("OutboxStoreFailures", "OutboxMarkReadFailures")}
    missing = sorted(wanted for wanted in expected if not any(row.startswith(wanted) for row in rows))
    assert not missing, f"runbook rows missing for {missing}"


def test_the_outbox_section_states_the_templates_maximum_age() -> None:
    """The guarantees quote the maximum age the template sets, on both functions alike."""
    resources = template()["Resources"]
    ages = {
        resources[name]["Properties"]["Environment"]["Variables"]["OUTBOX_MAX_AGE_SECONDS"]
        for name in ("ParticipantDataFunction", "OutboxWorkerFunction")
    }
    (age,) = ages
    assert f"`OUTBOX_MAX_AGE_SECONDS` ({age} s" in section(OUTBOX_SECTION)
