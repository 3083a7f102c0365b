"""The outbox in template.yaml (docs/operations.md, "The outbox"): a FIFO queue and its dead-letter queue,
the pending-mark table and the worker function, all encrypted and all only with OutboxEnabled (the
default); both functions told where they are; least privilege for each; times that hang together (the
worker's timeout, the visibility timeout, the maximum age, retention, the alarm); and alarms that page
through the composite. The dashboard's outbox widgets: tests/template/test_dashboard.py."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest

from participant_data.observability import FUNCTION_VERSION_DIMENSION, MetricName
from participant_data.outbox.marks import EXPIRES_AT, PARTITION_KEY
from participant_data.settings import Settings
from tests.template.cloudformation import Deployment, deploy
from tests.template.sam import (
    FUNCTION,
    REPO_ROOT,
    SECRET_ARN,
    comment_above,
    function_events,
    translated_template,
)
from tests.template.test_alarms import OUTBOX_PAGED, ROLLBACK, dimensions, watched_metrics

QUEUE = "OutboxQueue"
DEAD_LETTER_QUEUE = "OutboxDeadLetterQueue"
TABLE = "OutboxPendingTable"
WORKER = "OutboxWorkerFunction"
WORKER_ROLE = "OutboxWorkerRole"
WORKER_LOG_GROUP = "OutboxWorkerLogGroup"
OUTBOX_RESOURCES = {QUEUE, DEAD_LETTER_QUEUE, TABLE, WORKER, WORKER_ROLE, WORKER_LOG_GROUP} | OUTBOX_PAGED
OUTBOX_OUTPUTS = {
    "OutboxQueueUrl",
    "OutboxDeadLetterQueueUrl",
    "OutboxPendingTableName",
    "OutboxWorkerFunctionName",
    "OutboxWorkerLogGroupName",
}
HANDLER_MAKEFILE = REPO_ROOT / "src" / "handler" / "Makefile"
# What the worker shares with the function, so that it runs the same package the same way and its
# metrics land in the same namespace and service dimension (the dashboard and alarms read them there).
SHARED_PROPERTIES = ("CodeUri", "Runtime", "Architectures", "MemorySize", "Tracing")
SHARED_VARIABLES = (
    "GENESYS_SECRET_ID",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
    "OUTBOX_MAX_AGE_SECONDS",
)
# Lambda's SQS event source: at most 10 messages a batch from a FIFO queue, and the queue's visibility
# timeout at least 6x the function's timeout (docs/genesys-facts.md#lambda-sqs-fifo); MaximumConcurrency
# 2 to 1000 (docs/genesys-facts.md#lambda-sqs-scaling).
FIFO_MAX_BATCH = 10
MIN_MAXIMUM_CONCURRENCY = 2
VISIBILITY_TO_TIMEOUT = 6
# SQS's own bounds on maxReceiveCount (docs/genesys-facts.md#sqs-queue-in-cloudformation).
MAX_RECEIVE_COUNT_RANGE = range(1, 1001)
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _arn(name: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, "Arn"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants(statements: list[dict[str, Any]]) -> list[tuple[list[Any], list[Any]]]:
    assert all(statement["Effect"] == "Allow" for statement in statements), statements
    return [(_as_list(statement["Action"]), _as_list(statement["Resource"])) for statement in statements]


def _deployed(template: dict[str, Any], outbox: bool, **parameters: str) -> Deployment:
    given = {"GenesysSecretArn": SECRET_ARN, "OutboxEnabled": str(outbox).lower(), **parameters}
    return deploy(template, given)


@pytest.fixture(scope="module")
def enabled(template: dict[str, Any]) -> Deployment:
    return _deployed(template, outbox=True)


@pytest.fixture(scope="module")
def disabled(template: dict[str, Any]) -> Deployment:
    return _deployed(template, outbox=False)


@pytest.fixture(scope="module")
def worker(enabled: Deployment) -> dict[str, Any]:
    properties: dict[str, Any] = enabled.resources[WORKER]["Properties"]
    return properties


@pytest.fixture(scope="module")
def queue(enabled: Deployment) -> dict[str, Any]:
    properties: dict[str, Any] = enabled.resources[QUEUE]["Properties"]
    return properties


def _variables(deployment: Deployment, function: str) -> dict[str, Any]:
    variables: dict[str, Any] = deployment.resources[function]["Properties"]["Environment"]["Variables"]
    return variables


def _settings(deployment: Deployment, function: str) -> Settings:
    """What the code makes of a function's environment (the queue's URL and the table's name as
    CloudFormation would give them)."""
    variables = deployment.physical(_variables(deployment, function))
    return Settings.from_environment({name: str(value) for name, value in variables.items()})


def _max_age(deployment: Deployment) -> int:
    return int(_variables(deployment, FUNCTION)["OUTBOX_MAX_AGE_SECONDS"])


# --- On by default, off entirely -----------------------------------------------------------------------


def test_the_outbox_is_on_by_default_and_a_parameter_turns_it_off(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["OutboxEnabled"]
    assert (parameter["Default"], sorted(parameter["AllowedValues"])) == ("true", ["false", "true"])
    assert template["Conditions"]["HasOutbox"] == {"Fn::Equals": [_ref("OutboxEnabled"), "true"]}


def test_its_resources_and_outputs_exist_only_when_it_is_on(
    enabled: Deployment, disabled: Deployment
) -> None:
    assert set(enabled.resources) >= OUTBOX_RESOURCES
    assert set(enabled.outputs) >= OUTBOX_OUTPUTS
    assert not OUTBOX_RESOURCES & set(disabled.resources)
    assert not OUTBOX_OUTPUTS & set(disabled.outputs)
    # Nothing that stays refers to what is gone (CloudFormation would refuse the stack).
    for name in disabled.resources:
        assert not disabled.dependencies(name) & OUTBOX_RESOURCES, name


def test_what_sam_generates_for_the_worker_goes_with_it() -> None:
    """SAM copies the function's condition to what it generates (the event source mapping); the
    CloudFormation of the translated template then has no trace of the outbox when it is off. (The
    translation is linted clean with the outbox off here, and on by tests/template/test_lint.py.)"""
    generated = translated_template("OutboxEnabled=false")
    parameters = {"GenesysSecretArn": SECRET_ARN, "OutboxEnabled": "false"}
    kinds = {body["Type"] for body in deploy(generated, parameters).resources.values()}
    assert not kinds & {"AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::Lambda::EventSourceMapping"}
    lambdas = deploy(generated, parameters).of_type("AWS::Lambda::Function")
    assert set(lambdas) == {FUNCTION}


# --- Both functions know where the outbox is -----------------------------------------------------------


def test_both_functions_are_given_the_queue_and_the_table(enabled: Deployment) -> None:
    for function in (FUNCTION, WORKER):
        variables = _variables(enabled, function)
        assert variables["OUTBOX_QUEUE_URL"] == _ref(QUEUE), function
        assert variables["OUTBOX_TABLE_NAME"] == _ref(TABLE), function


def test_the_code_turns_the_outbox_on_in_both_functions(enabled: Deployment) -> None:
    main, worker = (_settings(enabled, function) for function in (FUNCTION, WORKER))
    assert main.outbox_enabled
    assert worker.outbox_enabled
    assert main.outbox_queue_url == worker.outbox_queue_url == enabled.physical(_ref(QUEUE))
    assert main.outbox_table_name == worker.outbox_table_name == enabled.physical(_ref(TABLE))
    assert main.outbox_max_age_seconds == worker.outbox_max_age_seconds


def test_without_the_outbox_the_function_gets_empty_values_and_behaves_as_before(
    disabled: Deployment,
) -> None:
    variables = _variables(disabled, FUNCTION)
    assert (variables["OUTBOX_QUEUE_URL"], variables["OUTBOX_TABLE_NAME"]) == ("", "")
    assert not _settings(disabled, FUNCTION).outbox_enabled


# --- The queues and the table --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [QUEUE, DEAD_LETTER_QUEUE])
def test_the_queues_are_fifo_encrypted_and_deduplicate_by_request_id(enabled: Deployment, name: str) -> None:
    """Queued values are caller data: encrypted at rest (SSE-SQS). A FIFO queue's dead-letter queue must
    be FIFO too. Content-based deduplication would merge two writes of the same values, so it is off: the
    request side deduplicates by the invocation's request ID."""
    properties = enabled.resources[name]["Properties"]
    assert properties["FifoQueue"] is True
    assert properties["ContentBasedDeduplication"] is False
    assert properties["SqsManagedSseEnabled"] is True
    assert "QueueName" not in properties  # CloudFormation names it per stack (two stacks, two queues)


def test_the_dead_letter_queue_is_a_last_resort(queue: dict[str, Any]) -> None:
    """Moving a write there lets its participant's later writes overtake it: age, not a receive count,
    ends a write that cannot be applied."""
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == _arn(DEAD_LETTER_QUEUE)
    # Paced by the visibility timeout, a failing write expires long before it is received this often.
    receives_before_expiry = queue["MessageRetentionPeriod"] // queue["VisibilityTimeout"]
    assert redrive["maxReceiveCount"] in MAX_RECEIVE_COUNT_RANGE
    assert redrive["maxReceiveCount"] > 2 * receives_before_expiry


def test_a_batch_being_applied_is_never_delivered_again(
    queue: dict[str, Any], worker: dict[str, Any]
) -> None:
    """Were a batch still being applied when its messages became visible again, a second worker could
    apply an older write after a newer one."""
    assert queue["VisibilityTimeout"] >= VISIBILITY_TO_TIMEOUT * worker["Timeout"]


def test_writes_are_kept_until_the_worker_has_dropped_them_and_not_much_longer(
    enabled: Deployment, queue: dict[str, Any]
) -> None:
    """The worker drops writes older than OUTBOX_MAX_AGE_SECONDS with a metric; the queue keeps them long
    enough for the worker to see each one after it expired (a retry comes at most one visibility timeout
    later) and at most a quarter of an hour more, since queued values are caller data."""
    max_age = _max_age(enabled)
    extra = queue["MessageRetentionPeriod"] - max_age
    assert 2 * queue["VisibilityTimeout"] <= extra <= 15 * 60
    dead_letters = enabled.resources[DEAD_LETTER_QUEUE]["Properties"]
    assert dead_letters["MessageRetentionPeriod"] <= queue["MessageRetentionPeriod"]


def test_the_pending_mark_table_is_the_one_the_code_reads(enabled: Deployment) -> None:
    table = enabled.resources[TABLE]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": PARTITION_KEY, "AttributeType": "S"}]
    # A mark whose writes were lost heals itself: DynamoDB deletes it after its expiry time.
    assert table["TimeToLiveSpecification"] == {"AttributeName": EXPIRES_AT, "Enabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"


# --- The worker ----------------------------------------------------------------------------------------


def test_the_worker_runs_the_functions_package_through_its_own_entry_point(
    function: dict[str, Any], worker: dict[str, Any], resources: dict[str, Any]
) -> None:
    assert {key: worker[key] for key in SHARED_PROPERTIES} == {
        key: function[key] for key in SHARED_PROPERTIES
    }
    assert resources[WORKER]["Metadata"] == resources[FUNCTION]["Metadata"] == {"BuildMethod": "makefile"}
    # `sam build` builds each makefile function with its own target, `build-<resource>`.
    assert re.search(rf"^build-{WORKER}\b.*:", HANDLER_MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert worker["Handler"] == "app.queue_worker"
    module, _, name = worker["Handler"].rpartition(".")
    source = REPO_ROOT / worker["CodeUri"] / f"{module}.py"
    assert name in _top_level_names(ast.parse(source.read_text(encoding="utf-8")))


def _top_level_names(tree: ast.Module) -> set[str]:
    """Functions defined, and names assigned, at a module's top level."""
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def test_the_worker_reports_to_the_same_namespace_and_service(enabled: Deployment) -> None:
    main, worker = (_variables(enabled, function) for function in (FUNCTION, WORKER))
    assert {name: worker[name] for name in SHARED_VARIABLES} == {
        name: main[name] for name in SHARED_VARIABLES
    }


def test_the_queue_feeds_the_worker_in_fifo_batches_reporting_partial_failures(
    worker: dict[str, Any],
) -> None:
    (event,) = function_events(worker, "SQS")
    assert event["Queue"] == _arn(QUEUE)
    assert event["BatchSize"] == FIFO_MAX_BATCH
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert set(worker["Events"]) == {QUEUE}  # nothing else invokes it


def test_the_worker_is_bounded_below_the_genesys_capacity_the_ivr_path_needs(worker: dict[str, Any]) -> None:
    """It shares Genesys and the OAuth client with the live calls: a few containers, never more than its
    reserved concurrency (above it Lambda throttles the poller)."""
    (event,) = function_events(worker, "SQS")
    maximum = event["ScalingConfig"]["MaximumConcurrency"]
    assert MIN_MAXIMUM_CONCURRENCY <= maximum <= 5
    assert maximum <= worker["ReservedConcurrentExecutions"] <= 5


@pytest.mark.parametrize("setting", ["Timeout", "ReservedConcurrentExecutions", "MemorySize"])
def test_each_of_the_workers_sizing_choices_is_explained_in_a_comment(setting: str) -> None:
    comment = comment_above(setting, under=f"  {WORKER}:")
    assert len(comment) >= 3, f"the worker's {setting} needs a comment above it that justifies the value"


def test_the_worker_writes_to_a_log_group_of_the_stack_kept_as_long_as_the_others(
    template: dict[str, Any], worker: dict[str, Any]
) -> None:
    assert worker["LoggingConfig"] == {"LogGroup": _ref(WORKER_LOG_GROUP)}
    deployment = _deployed(template, outbox=True, LogRetentionInDays="90")
    log_group = deployment.resources[WORKER_LOG_GROUP]["Properties"]
    assert log_group == {"LogGroupName": "/aws/lambda/stack-outbox-worker", "RetentionInDays": "90"}


# --- Least privilege -----------------------------------------------------------------------------------


def _function_statements(deployment: Deployment) -> list[dict[str, Any]]:
    policies = deployment.resources[FUNCTION]["Properties"]["Policies"]
    return [statement for policy in policies for statement in policy["Statement"]]


def test_the_function_may_queue_writes_and_read_and_set_marks_and_nothing_more(
    enabled: Deployment, disabled: Deployment
) -> None:
    assert _grants(_function_statements(enabled)) == [
        (["secretsmanager:GetSecretValue"], [SECRET_ARN]),
        (["sqs:SendMessage"], [_arn(QUEUE)]),
        (["dynamodb:GetItem", "dynamodb:PutItem"], [_arn(TABLE)]),
    ]
    assert _grants(_function_statements(disabled)) == [(["secretsmanager:GetSecretValue"], [SECRET_ARN])]


def test_the_worker_may_consume_the_queue_clear_marks_read_the_secret_and_log(
    template: dict[str, Any],
) -> None:
    deployment = _deployed(template, outbox=True, SecretKmsKeyArn=KMS_KEY_ARN)
    role = deployment.resources[WORKER_ROLE]["Properties"]
    (trusted,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert (trusted["Principal"], trusted["Action"]) == (
        {"Service": "lambda.amazonaws.com"},
        "sts:AssumeRole",
    )
    (policy,) = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert _grants(statements) == [
        (
            [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            [_arn(QUEUE)],
        ),
        (["dynamodb:DeleteItem"], [_arn(TABLE)]),  # clear_if_last; the worker never reads a mark
        (["secretsmanager:GetSecretValue"], [SECRET_ARN]),
        (["kms:Decrypt"], [KMS_KEY_ARN]),
        (["logs:CreateLogStream", "logs:PutLogEvents"], [_arn(WORKER_LOG_GROUP)]),
    ]
    decrypt = statements[3]
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }
    # X-Ray takes no resource-level permission: AWS's managed policy for trace writes, nothing else.
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]
    assert deployment.resources[WORKER]["Properties"]["Role"] == _arn(WORKER_ROLE)


def test_sam_gives_the_worker_no_policy_of_its_own() -> None:
    """Left to SAM, an SQS event would give the function's role AWSLambdaSQSQueueExecutionRole, which may
    receive and delete the messages of every queue in the account."""
    resources = translated_template()["Resources"]
    assert f"{WORKER}Role" not in resources
    assert resources[WORKER_ROLE]["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess"}
    ]
    (mapping,) = [body for body in resources.values() if body["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert mapping["Condition"] == "HasOutbox"
    assert mapping["Properties"]["EventSourceArn"] == _arn(QUEUE)
    assert mapping["Properties"]["FunctionName"] == _ref(WORKER)
    assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] >= MIN_MAXIMUM_CONCURRENCY


# --- Alarms (that they page through the composite: tests/template/test_alarms.py) ----------------------


def _single_metric_alarm(deployment: Deployment, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An alarm's Properties and the one metric it watches."""
    alarm = deployment.resources[name]["Properties"]
    (metric,) = watched_metrics(alarm)
    return alarm, metric


def _statistic(metric: dict[str, Any]) -> tuple[str, str, str]:
    return (metric["Namespace"], metric["MetricName"], metric["Stat"])


def test_the_oldest_write_pages_before_writes_are_dropped_but_not_for_one_retry(
    enabled: Deployment, queue: dict[str, Any]
) -> None:
    alarm, metric = _single_metric_alarm(enabled, "OutboxOldestWriteAlarm")
    assert _statistic(metric) == ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum")
    assert dimensions(metric) == {"QueueName": {"Fn::GetAtt": [QUEUE, "QueueName"]}}
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # A write retried once or twice (each retry waits up to the visibility timeout) is normal; paging
    # leaves at least three quarters of a write's life to act before it is dropped.
    assert 2 * queue["VisibilityTimeout"] <= alarm["Threshold"] <= _max_age(enabled) / 4
    assert alarm["TreatMissingData"] == "notBreaching"  # an idle queue reports nothing


def test_one_write_in_the_dead_letter_queue_pages(enabled: Deployment) -> None:
    alarm, metric = _single_metric_alarm(enabled, "OutboxDeadLetterAlarm")
    assert _statistic(metric) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum")
    assert dimensions(metric) == {"QueueName": {"Fn::GetAtt": [DEAD_LETTER_QUEUE, "QueueName"]}}
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "GreaterThanOrEqualToThreshold",
        1,
        1,
    )


def test_a_failing_worker_pages_within_its_retry_pace(enabled: Deployment, queue: dict[str, Any]) -> None:
    """A batch that fails the invocation (a crash, a timeout, every write failed) comes back once per
    visibility timeout: two failures must fit in the alarm's window, one must not be enough."""
    alarm, metric = _single_metric_alarm(enabled, "OutboxWorkerErrorsAlarm")
    assert _statistic(metric) == ("AWS/Lambda", "Errors", "Sum")
    assert dimensions(metric) == {"FunctionName": _ref(WORKER)}
    window = alarm["EvaluationPeriods"] * metric["Period"]
    assert alarm["DatapointsToAlarm"] == 2
    assert window >= 2 * queue["VisibilityTimeout"]


def test_a_queued_write_is_a_fault_that_pages_and_rolls_a_deploy_back(template: dict[str, Any]) -> None:
    """The request side records every queued write as a ServiceFault, in total and for its version
    (tests/unit/test_observability.py): the paging alarm reads the total, the rollback alarm the version's,
    so a bad deploy cannot hide behind `200 queued`."""
    resources = template["Resources"]
    (fleet,) = watched_metrics(resources["ParticipantDataServiceFaultsAlarm"]["Properties"])
    assert fleet["MetricName"] == MetricName.SERVICE_FAULTS
    by_version = [
        metric
        for metric in watched_metrics(resources[ROLLBACK]["Properties"])
        if metric["MetricName"] == MetricName.SERVICE_FAULTS
    ]
    assert [set(dimensions(metric)) for metric in by_version] == [{FUNCTION_VERSION_DIMENSION, "service"}]
    assert resources[FUNCTION]["Properties"]["DeploymentPreference"]["Alarms"] == [_ref(ROLLBACK)]
