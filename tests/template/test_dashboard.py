"""The CloudWatch dashboard in template.yaml: a valid body that charts what the code really emits.

The body is a `Fn::Sub` of JSON: it is substituted here with stand-in values for every `${...}` (each of
which must name a parameter, a resource or a pseudo parameter), then parsed and checked widget by widget.
The outbox's widgets and alarms are variables of the `Fn::Sub`, empty without the outbox: the checks read
the body with the outbox (the default), and the body without it must still be valid and name none of its
resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from participant_data.observability import (
    DROP_REASON_DIMENSION,
    ERROR_CODE_DIMENSION,
    FUNCTION_VERSION_DIMENSION,
    RETRY_REASON_DIMENSION,
    MetricName,
)
from tests.template.substitution import sub_text
from tests.template.test_alarms import OUTBOX_PAGED, PAGING, alarms, watched_metrics

DASHBOARD = "ParticipantDataDashboard"
FUNCTION = "ParticipantDataFunction"
LOG_GROUP = "ParticipantDataFunctionLogGroup"
WORKER = "OutboxWorkerFunction"
WORKER_LOG_GROUP = "OutboxWorkerLogGroup"
QUEUE = "OutboxQueue"
WITH_OUTBOX = {"HasOutbox": True}
# The widget types of the dashboard body structure (CloudWatch API reference, "Dashboard Body Structure").
WIDGET_TYPES = {"metric", "text", "log", "alarm", "explorer"}
GRID_WIDTH = 24
PSEUDO_PARAMETERS = {"AWS::Region": "eu-west-1", "AWS::StackName": "stack", "AWS::URLSuffix": "amazonaws.com"}
_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_SEARCH = re.compile(r"SEARCH\('\{(?P<schema>[^}]*)\}(?P<terms>[^']*)'")
_TERM = re.compile(r'(\w+)="([^"]*)"')


def substitute(text: str, resources: dict[str, Any], parameters: dict[str, Any]) -> str:
    """`Fn::Sub` with stand-ins: a resource's name, `<name>-Arn` for an attribute, a parameter's default
    or name. Any other variable fails the test, as it would fail the deployment."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        resource, _, attribute = name.partition(".")
        if resource in resources:
            return f"{resource}-{attribute}" if attribute else f"{resource}-name"
        if name in parameters:
            return str(parameters[name].get("Default", f"{name}-value"))
        raise AssertionError(f"${{{name}}} names no parameter, resource or pseudo parameter")

    return _VARIABLE.sub(value, text).replace("${!", "${")


@pytest.fixture(scope="module")
def sub(template: dict[str, Any], resources: dict[str, Any]) -> Any:
    return lambda value: substitute(sub_text(value, WITH_OUTBOX), resources, template["Parameters"])


@pytest.fixture(scope="module")
def body(resources: dict[str, Any], sub: Any) -> dict[str, Any]:
    dashboard = resources[DASHBOARD]
    assert dashboard["Type"] == "AWS::CloudWatch::Dashboard"
    parsed = json.loads(sub(dashboard["Properties"]["DashboardBody"]))
    assert isinstance(parsed, dict)
    return parsed


def widgets(body: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [widget for widget in body["widgets"] if kind is None or widget["type"] == kind]


def plain_metrics(body: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, str], dict[str, Any]]]:
    """(namespace, metric name, dimensions, options) of every metric that is not an expression."""
    for widget in widgets(body, "metric"):
        for entry in widget["properties"]["metrics"]:
            options = entry[-1] if isinstance(entry[-1], dict) else {}
            fields = entry[:-1] if options else entry
            if "expression" in options and not fields:
                continue
            assert all(isinstance(field, str) for field in fields), f"no shorthand ('.', '...'): {entry}"
            namespace, name, *pairs = fields
            assert len(pairs) % 2 == 0, f"dimension names and values come in pairs: {entry}"
            yield namespace, name, dict(zip(pairs[::2], pairs[1::2], strict=True)), options


def search_expressions(body: dict[str, Any]) -> Iterator[tuple[list[str], dict[str, str]]]:
    """(metric schema: the namespace then dimension names, `Name="value"` terms) of every SEARCH."""
    for widget in widgets(body, "metric"):
        for entry in widget["properties"]["metrics"]:
            expression = entry[-1].get("expression") if isinstance(entry[-1], dict) else None
            if expression:
                match = _SEARCH.search(expression)
                assert match, f"not a SEARCH expression: {expression}"
                schema = [part.strip() for part in match["schema"].split(",")]
                yield schema, dict(_TERM.findall(match["terms"]))


# --- The body ------------------------------------------------------------------------------------------


def test_the_body_is_json_with_widgets_of_valid_types(body: dict[str, Any]) -> None:
    assert body["widgets"]
    assert {widget["type"] for widget in widgets(body)} <= WIDGET_TYPES
    for widget in widgets(body):
        assert isinstance(widget["properties"], dict)


def test_widgets_fit_the_grid_without_overlapping(body: dict[str, Any]) -> None:
    cells: set[tuple[int, int]] = set()
    for widget in widgets(body):
        x, y, width, height = (widget[key] for key in ("x", "y", "width", "height"))
        assert all(isinstance(value, int) for value in (x, y, width, height))
        assert x >= 0, widget
        assert y >= 0, widget
        assert 0 < width <= GRID_WIDTH - x, widget
        assert height > 0, widget
        area = {(column, row) for column in range(x, x + width) for row in range(y, y + height)}
        assert not cells & area, f"{widget['properties'].get('title')} overlaps another widget"
        cells |= area


def test_every_chart_has_a_title_and_the_stacks_region(body: dict[str, Any]) -> None:
    for widget in widgets(body, "metric") + widgets(body, "log"):
        assert widget["properties"]["title"]
        assert widget["properties"]["region"] == PSEUDO_PARAMETERS["AWS::Region"]


# --- The service's own metrics -------------------------------------------------------------------------


def test_service_metrics_are_ones_the_code_emits_in_the_functions_namespace(
    body: dict[str, Any], environment: dict[str, Any]
) -> None:
    namespace = environment["POWERTOOLS_METRICS_NAMESPACE"]
    service = environment["POWERTOOLS_SERVICE_NAME"]
    own = [metric for metric in plain_metrics(body) if not metric[0].startswith("AWS/")]
    assert own
    for metric_namespace, name, dimensions, _ in own:
        assert metric_namespace == namespace
        assert name in set(MetricName), f"{name} is not emitted by participant_data/observability.py"
        assert dimensions == {"service": service}


def test_searches_cover_the_dimensions_the_code_adds(
    body: dict[str, Any], environment: dict[str, Any]
) -> None:
    searched: set[tuple[str, str]] = set()
    for schema, terms in search_expressions(body):
        if schema[0].startswith("AWS/"):
            continue
        namespace, dimension, service_dimension = schema
        assert namespace == environment["POWERTOOLS_METRICS_NAMESPACE"]
        assert service_dimension == "service"
        assert terms["service"] == environment["POWERTOOLS_SERVICE_NAME"]
        assert terms["MetricName"] in set(MetricName)
        searched.add((dimension, terms["MetricName"]))
    assert searched == {
        (ERROR_CODE_DIMENSION, MetricName.FAILURES),
        (RETRY_REASON_DIMENSION, MetricName.GENESYS_RETRIES),
        (FUNCTION_VERSION_DIMENSION, MetricName.SERVICE_FAULTS),
        (FUNCTION_VERSION_DIMENSION, MetricName.REJECTED_INVOCATIONS),
        (DROP_REASON_DIMENSION, MetricName.OUTBOX_WRITES_DROPPED),
    }


def test_lambda_errors_are_charted_per_version_like_the_rollback_alarm_reads_them(
    body: dict[str, Any],
) -> None:
    lambda_searches = [
        (schema, terms) for schema, terms in search_expressions(body) if schema[0] == "AWS/Lambda"
    ]
    assert lambda_searches == [
        (
            ["AWS/Lambda", "ExecutedVersion", "FunctionName", "Resource"],
            {"MetricName": "Errors", "FunctionName": f"{FUNCTION}-name"},
        )
    ]


def test_every_metric_the_code_emits_is_charted(body: dict[str, Any]) -> None:
    charted = {name for namespace, name, _, _ in plain_metrics(body) if not namespace.startswith("AWS/")}
    assert charted == {str(name) for name in MetricName}


def test_latencies_show_the_median_and_the_tail(body: dict[str, Any]) -> None:
    for namespace, name in [("AWS/Lambda", "Duration"), ("AWS/ApiGateway", "Latency")]:
        stats = {o.get("stat") for ns, n, _, o in plain_metrics(body) if (ns, n) == (namespace, name)}
        assert {"p50", "p99"} <= stats, f"{namespace} {name}"
    stats = {o.get("stat") for _, n, _, o in plain_metrics(body) if n == MetricName.GENESYS_LATENCY}
    assert stats == {"p50", "p99"}


# --- AWS metrics, logs and alarms of this stack --------------------------------------------------------


def test_lambda_metrics_are_the_functions(body: dict[str, Any]) -> None:
    lambda_metrics = {(n, tuple(d.items())) for ns, n, d, _ in plain_metrics(body) if ns == "AWS/Lambda"}
    function = (("FunctionName", f"{FUNCTION}-name"),)
    worker = (("FunctionName", f"{WORKER}-name"),)
    expected = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"]
    expected_of_the_worker = ["Invocations", "Errors", "Duration"]
    assert lambda_metrics == {(name, function) for name in expected} | {
        (name, worker) for name in expected_of_the_worker
    }


def test_the_outbox_backlog_counts_waiting_and_in_flight_writes_of_its_queue(body: dict[str, Any]) -> None:
    queue = {"QueueName": f"{QUEUE}-QueueName"}
    backlog = {n for ns, n, d, _ in plain_metrics(body) if ns == "AWS/SQS" and d == queue}
    assert backlog == {
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateAgeOfOldestMessage",
    }


def test_the_concurrency_chart_names_the_functions_reserved_concurrency(
    body: dict[str, Any], resources: dict[str, Any]
) -> None:
    reserved = resources[FUNCTION]["Properties"]["ReservedConcurrentExecutions"]
    (title,) = [
        w["properties"]["title"] for w in widgets(body, "metric") if "concurrent" in w["properties"]["title"]
    ]
    assert f"(reserved: {reserved})" in title


def test_api_gateway_metrics_are_the_rest_apis_stage(
    body: dict[str, Any], resources: dict[str, Any], sub: Any
) -> None:
    api = resources["ParticipantDataApi"]["Properties"]
    stage = {"ApiName": sub(api["Name"]), "Stage": sub("${StageName}")}
    api_metrics = [(n, d) for ns, n, d, _ in plain_metrics(body) if ns == "AWS/ApiGateway"]
    charted = {name for name, _ in api_metrics}
    assert charted == {"Count", "4XXError", "5XXError", "Latency", "IntegrationLatency"}
    assert all(dimensions == stage for _, dimensions in api_metrics)


def test_the_logs_widgets_query_each_functions_log_group_for_failures(body: dict[str, Any]) -> None:
    queries = {
        widget["properties"]["query"].split(" |", 1)[0]: widget["properties"]["query"]
        for widget in widgets(body, "log")
    }
    assert set(queries) == {f"SOURCE '{LOG_GROUP}-name'", f"SOURCE '{WORKER_LOG_GROUP}-name'"}
    # error_code and level are the keys of the service's "Request failed" lines (handlers/failures.py).
    for field in ("error_code", "conversation_id", "correlation_id", "level"):
        assert field in queries[f"SOURCE '{LOG_GROUP}-name'"]
    for field in ("level", "conversation_id", "Task timed out"):
        assert field in queries[f"SOURCE '{WORKER_LOG_GROUP}-name'"]


def test_the_alarm_widget_shows_every_alarm_of_the_stack_the_paging_one_first(
    body: dict[str, Any], resources: dict[str, Any]
) -> None:
    (alarm_widget,) = widgets(body, "alarm")
    shown = alarm_widget["properties"]["alarms"]
    assert shown[0] == f"{PAGING}-Arn"
    assert sorted(shown) == sorted(f"{name}-Arn" for name in alarms(resources))


def test_every_metric_an_alarm_watches_is_charted(body: dict[str, Any], resources: dict[str, Any]) -> None:
    """Whoever is paged finds the alarm's metric on the dashboard (a plain line or a SEARCH)."""
    charted = {(namespace, name) for namespace, name, _, _ in plain_metrics(body)}
    charted |= {(schema[0], terms["MetricName"]) for schema, terms in search_expressions(body)}
    watched = {
        (metric["Namespace"], metric["MetricName"])
        for alarm in alarms(resources).values()
        for metric in watched_metrics(alarm)
    }
    assert watched
    assert watched <= charted, f"alarm metrics not on the dashboard: {sorted(watched - charted)}"


def test_without_the_outbox_the_body_is_valid_and_names_none_of_its_resources(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    """Naming a resource that a condition left out fails the deployment."""
    text = sub_text(resources[DASHBOARD]["Properties"]["DashboardBody"], {"HasOutbox": False})
    outbox = {name for name, body in resources.items() if body.get("Condition") == "HasOutbox"}
    assert outbox >= OUTBOX_PAGED | {WORKER, WORKER_LOG_GROUP, QUEUE}
    named = {name.split(".", 1)[0] for name in _VARIABLE.findall(text)}
    assert not named & outbox, sorted(named & outbox)
    parsed = json.loads(substitute(text, resources, template["Parameters"]))
    (alarm_widget,) = widgets(parsed, "alarm")
    shown = {name.removesuffix("-Arn") for name in alarm_widget["properties"]["alarms"]}
    assert shown == set(alarms(resources)) - OUTBOX_PAGED


def test_outputs_name_the_dashboard_and_link_to_it(template: dict[str, Any], sub: Any) -> None:
    outputs = template["Outputs"]
    assert outputs["ParticipantDataDashboardName"]["Value"] == {"Ref": DASHBOARD}
    url = sub(outputs["ParticipantDataDashboardUrl"]["Value"])
    assert url.startswith("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#")
    assert url.endswith(f"/{DASHBOARD}-name")


def test_the_dashboard_name_is_per_stack(resources: dict[str, Any]) -> None:
    name = resources[DASHBOARD]["Properties"]["DashboardName"]
    assert name == {"Fn::Sub": "${AWS::StackName}-participant-data"}
