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


def _cfn_lint() -> list[str]:
    sibling = Path(sys.executable).with_name("cfn-lint")
    if sibling.exists():
        return [str(sibling)]
    found = shutil.which("cfn-lint")
    if not found:
        pytest.fail("cfn-lint is not installed (requirements-dev.txt)")
    return [found]


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


def test_cfn_lint_finds_no_errors(packaged):
    result = subprocess.run(
        [*_cfn_lint(), "--format", "json", str(packaged)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Rule"]["Id"].startswith("E")]
    assert not errors, json.dumps(errors, indent=1)
    assert not result.returncode & 2, result.stdout + result.stderr
    assert result.returncode & 1 == 0, result.stderr  # 1: cfn-lint itself failed


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
        for base in ("report-submitted", "dispatch", "attachment-uploads", "notifications")
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
