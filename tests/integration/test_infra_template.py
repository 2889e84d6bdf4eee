"""The template production deploys: `chalice package` merged with infra/resources.json.

Packaged once per module (it builds the deployment zip), then linted and checked for the
properties the design relies on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONFIG_SOURCE = ROOT / "chalicelib" / "config.py"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-southeast-3", "AWS_REGION": "ap-southeast-3"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from chalice.cli import main; sys.exit(main())",
            "package",
            "--stage",
            "prod",
            "--pkg-format",
            "cloudformation",
            "--merge-template",
            "infra/resources.json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"chalice package failed:\n{result.stdout}\n{result.stderr}"
    assert (out / "sam.json").exists() and (out / "deployment.zip").exists()
    from infra.package import lock_stage

    lock_stage(out / "sam.json", "prod")  # as `make package` does
    return out / "sam.json"


@pytest.fixture(scope="module")
def template(packaged) -> dict:
    return json.loads(packaged.read_text())


def test_the_packaged_template_fits_cloudformations_size_limit(packaged):
    """CloudFormation refuses a template over 1,000,000 bytes (from S3): keep a margin for
    the routes still to come."""
    assert packaged.stat().st_size < 700_000, packaged.stat().st_size


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v.get("Type") == kind}


def physical(value, template: dict) -> str:
    """A name as CloudFormation resolves it with the template's (pinned) Stage."""
    if isinstance(value, str):
        return value
    (text,) = value.values()
    assert set(value) == {"Fn::Sub"}, value
    return text.replace("${Stage}", template["Parameters"]["Stage"]["Default"])


@pytest.fixture(scope="module")
def subscribed_queues(template) -> set[str]:
    """The queues the packaged event sources subscribe to (the prod stage's)."""
    names = set()
    for fn in resources_of(template, "AWS::Serverless::Function").values():
        for event in fn["Properties"].get("Events", {}).values():
            if event.get("Type") == "SQS":
                arn = event["Properties"]["Queue"]
                names.add((arn["Fn::Sub"] if isinstance(arn, dict) else arn).rsplit(":", 1)[-1])
    return names


def test_every_sqs_event_source_reports_batch_item_failures(template, subscribed_queues):
    events = [
        (name, event_name, event)
        for name, fn in resources_of(template, "AWS::Serverless::Function").items()
        for event_name, event in fn["Properties"].get("Events", {}).items()
        if event.get("Type") == "SQS"
    ]

    assert len(events) == len(subscribed_queues) > 0
    for name, event_name, event in events:
        assert event["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], (
            f"{name}.{event_name}: Lambda ignores batchItemFailures without it"
        )


def test_every_subscribed_queue_is_defined_with_a_dead_letter_queue(template, subscribed_queues):
    queues = resources_of(template, "AWS::SQS::Queue")
    by_name = {
        physical(q["Properties"]["QueueName"], template): logical for logical, q in queues.items()
    }

    for queue_name in subscribed_queues:
        assert queue_name in by_name, f"the app subscribes to {queue_name}, infra/ lacks it"
        logical = by_name[queue_name]
        redrive = queues[logical]["Properties"].get("RedrivePolicy")
        assert redrive, f"{queue_name} has no RedrivePolicy"
        target = redrive["deadLetterTargetArn"]
        assert isinstance(target, dict) and "Fn::GetAtt" in target, target
        dlq, attribute = target["Fn::GetAtt"]
        assert attribute == "Arn"
        assert dlq in queues and dlq != logical
        assert int(redrive["maxReceiveCount"]) >= 1


def test_the_packaged_stage_is_pinned_and_its_event_sources_name_its_queues(
    template, subscribed_queues
):
    """`chalice package --stage prod` loads the app with SATUPINTU_STAGE=prod, so the event
    sources name satupintu-prod-* queues; the template can be deployed as prod only, so
    CloudFormation creates exactly those queues."""
    from chalicelib.config import resource_name

    stage = template["Parameters"]["Stage"]
    assert stage["Default"] == "prod" and stage["AllowedValues"] == ["prod"]
    assert subscribed_queues == {
        resource_name("prod", base)
        for base in (
            "report-submitted",
            "dispatch",
            "attachment-uploads",
            "notifications",
            "channel-inbox",
        )
    }
    names = {
        physical(q["Properties"]["QueueName"], template)
        for q in resources_of(template, "AWS::SQS::Queue").values()
    }
    assert subscribed_queues <= names
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["SATUPINTU_STAGE"] == {"Ref": "Stage"}
    for fn in resources_of(template, "AWS::Serverless::Function").values():
        assert fn["Properties"]["Environment"]["Variables"]["SATUPINTU_STAGE"] == "prod"


def test_the_notifications_queue_has_a_dead_letter_queue_an_alarm_and_its_settings(template):
    resources = template["Resources"]
    queue = resources["NotificationsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]
    }
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    alarm = resources["NotificationsDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["NotificationsDeadLetterQueue", "QueueName"]
    }
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["NOTIFICATIONS_QUEUE_URL"] == {"Ref": "NotificationsQueue"}
    assert env["MAIL_SENDER"] == {"Ref": "MailSender"}
    assert env["PORTAL_URL"] == {"Ref": "PortalUrl"}
    assert {"MailSender", "PortalUrl"} <= set(template["Parameters"])


def default_table_names(monkeypatch) -> set[str]:
    from chalicelib import config

    for name in [n for n in os.environ if n.endswith("_TABLE")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SATUPINTU_STAGE", "prod")  # the packaged stage
    monkeypatch.setenv("TOKEN_SECRET", "x" * 32)
    config.settings.cache_clear()
    try:
        cfg = config.settings()
    finally:
        config.settings.cache_clear()  # the next reader sees the real environment again
    return {value for field, value in vars(cfg).items() if field.endswith("_table")}


def test_every_default_table_exists_with_point_in_time_recovery_on_demand(template, monkeypatch):
    tables = {
        physical(t["Properties"]["TableName"], template): t["Properties"]
        for t in resources_of(template, "AWS::DynamoDB::Table").values()
    }
    defaults = default_table_names(monkeypatch)

    assert len(defaults) >= 5  # reports, events, directory, idempotency, deliveries
    for name in defaults:
        assert name in tables, f"settings default {name} is not a table in infra/"
        props = tables[name]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_prod_functions_are_traced_on_a_current_python(template):
    functions = resources_of(template, "AWS::Serverless::Function")

    assert functions
    for name, fn in functions.items():
        props = fn["Properties"]
        assert props.get("Tracing") == "Active", f"{name} is not traced"
        match = re.fullmatch(r"python3\.(\d+)", props["Runtime"])
        assert match and int(match.group(1)) >= 11, f"{name} runs {props['Runtime']}"


def test_globals_give_every_function_each_table_and_queue_setting(template):
    wanted = set(
        re.findall(r'_env\("([A-Z0-9_]+(?:_TABLE|_QUEUE_URL))"', CONFIG_SOURCE.read_text())
    )
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    assert len(wanted) >= 5  # four tables and the report.submitted queue
    assert wanted <= set(variables), f"missing from Globals: {wanted - set(variables)}"
    for name in wanted:
        ref = variables[name]
        assert isinstance(ref, dict) and set(ref) == {"Ref"}, f"{name} = {ref}"
        assert template["Resources"][ref["Ref"]]["Type"] in (
            "AWS::DynamoDB::Table",
            "AWS::SQS::Queue",
        )


def test_the_package_ships_bytecode_for_every_module_for_its_runtime(packaged, tmp_path):
    """`make package` (infra.package) compiles what `chalice package` zipped: a module
    without bytecode would be compiled at every cold start (read-only code directory)."""
    import importlib.util
    import zipfile

    from infra.package import compile_bytecode, interpreter_for, runtime_of

    runtime = runtime_of(packaged)
    assert interpreter_for(runtime) == sys.executable  # chalice derived it from this Python
    zip_path = tmp_path / "deployment.zip"
    shutil.copy(packaged.parent / "deployment.zip", zip_path)

    compile_bytecode(zip_path)

    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        sources = [n for n in names if n.endswith(".py")]
        missing = [n for n in sources if importlib.util.cache_from_source(n) not in names]
        header = z.read(f"chalicelib/__pycache__/config.{tag}.pyc")[:8]
    assert "app.py" in sources and len(sources) > 500
    assert not missing, missing[:10]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01  # unchecked hash


def test_every_function_runs_under_its_own_role_from_infra(template):
    """One role per function, defined in infra/resources.json (exact ARNs through
    Ref/GetAtt), none generated by Chalice and none shared; the functions' calls are
    checked against these roles in tests/e2e/test_least_privilege.py."""
    functions = resources_of(template, "AWS::Serverless::Function")
    roles = resources_of(template, "AWS::IAM::Role")
    infra = json.loads((ROOT / "infra" / "resources.json").read_text())["Resources"]
    assert len(functions) >= 7
    used = []
    for name, function in functions.items():
        role = function["Properties"]["Role"]
        assert isinstance(role, dict) and list(role) == ["Fn::GetAtt"], (name, role)
        logical, attribute = role["Fn::GetAtt"]
        assert attribute == "Arn" and logical in roles, (name, role)
        assert infra.get(logical, {}).get("Type") == "AWS::IAM::Role", (name, logical)
        used.append(logical)
    assert len(set(used)) == len(used), "a role is shared"
    assert set(used) == set(roles), "a role no function uses"
    for logical, role in roles.items():
        props = role["Properties"]
        assert not props.get("ManagedPolicyArns"), logical
        trust = props["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]


def test_the_packaged_api_is_regional_throttled_guarded_and_served_under_its_stage(template):
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"]
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["StageName"] == config["api_gateway_stage"] == "api"
    assert api["EndpointConfiguration"] == "REGIONAL"
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    paths = api["DefinitionBody"]["paths"]
    assert "/v1/reports" in paths and not any(p.startswith("/api/") for p in paths)
    # every method of every path reaches the function (405 with Allow, OPTIONS for CORS):
    # one ANY method per path (infra/package.py: one_method_per_path)
    assert all(list(methods) == ["x-amazon-apigateway-any-method"] for methods in paths.values())
    integration = paths["/v1/reports"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"
    ]
    assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST"
    assert "${APIHandler.Arn}" in integration["uri"]["Fn::Sub"]
    url = template["Outputs"]["EndpointURL"]["Value"]["Fn::Sub"]
    assert url.endswith("/api/")
    for name, fn in resources_of(template, "AWS::Serverless::Function").items():
        assert fn["Properties"]["ReservedConcurrentExecutions"] >= 1, name
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert {"MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "WAF_FILTERED"} <= set(responses)
    # in the definition itself, never beside it: an update cannot drop them
    assert not resources_of(template, "AWS::ApiGateway::GatewayResponse")
    association = resources_of(template, "AWS::WAFv2::WebACLAssociation")
    assert len(association) == 1


# -- operations: alarms, log groups, tracing, dashboard (issue 8 §4) ------------------------


def _alarms_on(template: dict, namespace: str, metric: str) -> dict[str, dict]:
    """Alarm properties by the logical id their first dimension refers to."""
    out = {}
    for alarm in resources_of(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if (props["Namespace"], props["MetricName"]) != (namespace, metric):
            continue
        value = props["Dimensions"][0]["Value"]
        key = value.get("Ref") or value.get("Fn::GetAtt", [None])[0] or json.dumps(value)
        out[key] = props
    return out


def test_every_function_has_errors_and_throttles_alarms_and_a_log_group_with_retention(template):
    functions = set(resources_of(template, "AWS::Serverless::Function"))
    errors = _alarms_on(template, "AWS/Lambda", "Errors")
    throttles = _alarms_on(template, "AWS/Lambda", "Throttles")
    groups = {
        g["Properties"]["LogGroupName"]["Fn::Sub"]: g
        for g in resources_of(template, "AWS::Logs::LogGroup").values()
    }

    assert len(functions) >= 7
    for fn in functions:
        assert fn in errors and fn in throttles, f"{fn} has no errors/throttles alarm"
        group = groups.get(f"/aws/lambda/${{{fn}}}")
        assert group, f"{fn}: its log group is not defined (kept forever by default)"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_every_queue_and_dead_letter_queue_is_watched(template):
    queues = resources_of(template, "AWS::SQS::Queue")
    ages = _alarms_on(template, "AWS/SQS", "ApproximateAgeOfOldestMessage")
    depths = _alarms_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    dlqs = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }

    assert len(dlqs) == 5
    for logical in queues:
        assert logical in ages, f"{logical}: no alarm on the age of its oldest message"
    for dlq in dlqs:
        assert dlq in depths, f"{dlq}: no alarm on its depth"
        assert depths[dlq]["Threshold"] == 0
        assert ages[dlq]["Threshold"] < 14 * 24 * 3600  # before the DLQ deletes it


def test_api_5xx_and_latency_percentiles_are_alarmed_by_the_apis_stage_name(template):
    api = template["Resources"]["RestAPI"]["Properties"]
    name = api["Name"]
    alarms = [
        a["Properties"]
        for a in resources_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["Namespace"] == "AWS/ApiGateway"
    ]
    assert name == {"Fn::Sub": "satupintu-${Stage}-api"}
    assert {a["Dimensions"][0]["Value"]["Fn::Sub"] for a in alarms} == {name["Fn::Sub"]}
    assert {a["MetricName"] for a in alarms} == {"5XXError", "Latency"}
    assert {a.get("ExtendedStatistic") for a in alarms if a["MetricName"] == "Latency"} == {
        "p95",
        "p99",
    }
    assert api["TracingEnabled"] is True  # X-Ray from the API stage on


def test_every_alarm_reaches_the_on_call_address(template):
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    (subscription,) = resources_of(template, "AWS::SNS::Subscription").values()

    assert len(alarms) >= 29  # 7 functions × 2, 3 API, 4 queues × 3
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertsTopic"}], name
        assert "${Stage}" in alarm["Properties"]["AlarmName"]["Fn::Sub"], name
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlertsTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlertEmail"},
    }
    assert "Default" not in template["Parameters"]["AlertEmail"]  # nobody forgets it


def test_the_dashboard_shows_every_function_and_queue(template):
    (dashboard,) = resources_of(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]

    assert len(widgets) >= 8
    for fn in resources_of(template, "AWS::Serverless::Function"):
        assert f"${{{fn}}}" in body, fn
    for queue in resources_of(template, "AWS::SQS::Queue"):
        assert f"${{{queue}.QueueName}}" in body, queue


# -- linters: cfn-lint -c I here; sam validate --lint and checkov where installed ---------


def test_the_linters_findings_are_all_justified_in_infra_readme(packaged):
    """`make lint-infra` (CI) runs all three; here cfn-lint always runs, and sam and checkov
    when their environment (.venv-lint, requirements-lint.txt) exists."""
    from infra import lint

    findings = lint.cfn_lint(packaged)
    tools = ["cfn-lint"]
    for name, run in (("sam", lint.sam_validate), ("checkov", lint.checkov)):
        try:
            lint.tool(name)
        except SystemExit:
            continue
        findings += run(packaged)
        tools.append(name)
    justified = [j for j in lint.justifications(lint.README.read_text()) if j.tool in tools]

    open_findings, stale = lint.unjustified(findings, justified)
    assert not open_findings, "\n".join(map(str, open_findings))
    assert not stale, stale


def test_a_queue_hides_a_message_longer_than_its_function_may_run(template):
    """A message must stay invisible while the function that took it still runs, or a
    second instance takes it too (the channel worker fetches media and answers through
    providers, with 10-second timeouts: it gets 150 s, its queue 180 s)."""
    queues = {
        physical(q["Properties"]["QueueName"], template): q["Properties"]
        for q in resources_of(template, "AWS::SQS::Queue").values()
    }
    default = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    checked = 0
    for name, fn in resources_of(template, "AWS::Serverless::Function").items():
        timeout = fn["Properties"].get("Timeout", default)
        for event in fn["Properties"].get("Events", {}).values():
            if event.get("Type") != "SQS":
                continue
            arn = event["Properties"]["Queue"]
            queue = (arn["Fn::Sub"] if isinstance(arn, dict) else arn).rsplit(":", 1)[-1]
            visibility = queues[queue].get("VisibilityTimeout", 30)
            assert timeout <= visibility, f"{name}: runs {timeout} s, {queue} hides {visibility} s"
            checked += 1
    channel_worker = resources_of(template, "AWS::Serverless::Function")["OnChannelMessage"]
    assert channel_worker["Properties"]["Timeout"] >= 120, "provider round trips per batch"
    assert checked > 0
