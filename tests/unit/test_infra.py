"""infra/resources.json agrees with the code that relies on it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import app
from chalicelib import config
from devstack.resources import load_template


def physical_name(value, stage: str) -> str:
    """A name as CloudFormation resolves it for a stage: a plain string, or a Fn::Sub of
    the Stage parameter (and nothing else: the queues' names must be known at import)."""
    if isinstance(value, str):
        return value
    (template,) = value.values()
    assert set(value) == {"Fn::Sub"} and "${Stage}" in template, value
    return template.replace("${Stage}", stage)


def queue_names(template: dict, stage: str) -> dict[str, str]:
    return {
        physical_name(r["Properties"]["QueueName"], stage): logical
        for logical, r in template["Resources"].items()
        if r.get("Type") == "AWS::SQS::Queue"
    }


def test_queue_constants_are_the_queues_in_the_template_for_this_stage():
    names = queue_names(load_template(), config.STAGE)

    assert config.STAGE == "dev"  # tests and the local stack
    assert names[config.REPORT_SUBMITTED_QUEUE] == "ReportSubmittedQueue"
    assert names[config.ATTACHMENT_UPLOADS_QUEUE] == "AttachmentUploadsQueue"
    assert names[config.DISPATCH_QUEUE] == "DispatchQueue"
    assert names[config.NOTIFICATIONS_QUEUE] == "NotificationsQueue"


_NAMED = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


def test_every_named_resource_carries_the_stage():
    """dev and prod in one account and region: no two stages may claim one name."""
    template = load_template()
    stage = template["Parameters"]["Stage"]
    assert "Default" not in stage  # the packager pins it; nobody deploys a stage by accident
    named = 0
    for logical, res in template["Resources"].items():
        key = _NAMED.get(res.get("Type"))
        if key is None or key not in res.get("Properties", {}):
            continue
        value = res["Properties"][key]
        assert isinstance(value, dict) and set(value) == {"Fn::Sub"}, f"{logical}: {value}"
        # Log groups of functions carry it through the function's own (stage) name.
        text = value["Fn::Sub"]
        assert "${Stage}" in text or logical.endswith("LogGroup"), f"{logical}: {text}"
        named += 1
    assert named >= 20
    dev = {physical_name(v, "dev") for v in queue_names(template, "dev")}
    prod = {physical_name(v, "prod") for v in queue_names(template, "prod")}
    assert dev and prod and not dev & prod


def test_the_stage_is_required_and_never_defaults_to_dev(monkeypatch):
    """An unset stage used to mean dev: a public token secret and loopback webhooks."""
    monkeypatch.delenv("SATUPINTU_STAGE")
    config.settings.cache_clear()
    try:
        with pytest.raises(config.StageNotSet):
            config.settings()
        monkeypatch.setenv("SATUPINTU_STAGE", "")
        with pytest.raises(config.StageNotSet):
            config.settings()
        monkeypatch.setenv("SATUPINTU_STAGE", "prod; rm -rf")
        with pytest.raises(config.StageNotSet):
            config.settings()
    finally:
        config.settings.cache_clear()


def test_importing_the_app_without_a_stage_fails_closed():
    env = {k: v for k, v in os.environ.items() if k != "SATUPINTU_STAGE"}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "StageNotSet" in result.stderr and "SATUPINTU_STAGE" in result.stderr


def test_every_sqs_handler_gets_partial_batch_responses():
    resources = load_template()["Resources"]
    for source in app.event_sources:
        if type(source).__name__ != "SQSEventConfig":
            continue
        logical = "".join(part.capitalize() for part in source.name.split("_"))
        events = resources[logical]["Properties"]["Events"]
        props = events[f"{logical}SqsEventSource"]["Properties"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], logical


def test_the_attachments_bucket_is_private_encrypted_versioned_and_notifies_the_queue():
    template = load_template()
    resources = template["Resources"]
    bucket = resources["AttachmentsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (notification,) = bucket["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": ["AttachmentUploadsQueue", "Arn"]}
    rules = notification["Filter"]["S3Key"]["Rules"]
    assert rules == [{"Name": "prefix", "Value": "incoming/"}]
    expiring = [r for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]
    assert [r["Prefix"] for r in expiring] == ["incoming/"]
    # S3 checks it may send to the queue when the bucket is created: policy first.
    assert resources["AttachmentsBucket"]["DependsOn"] == ["AttachmentUploadsQueuePolicy"]
    policy = resources["AttachmentUploadsQueuePolicy"]["Properties"]["PolicyDocument"]
    assert policy["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    queue = resources["AttachmentUploadsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["AttachmentUploadsDeadLetterQueue", "Arn"]
    }
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["ATTACHMENTS_BUCKET"] == {"Ref": "AttachmentsBucket"}
    assert env["ATTACHMENT_UPLOADS_QUEUE_URL"] == {"Ref": "AttachmentUploadsQueue"}
    assert env["ATTACHMENTS_TABLE"] == {"Ref": "AttachmentsTable"}
    json.dumps(template)


def test_dispatch_attempts_setting_equals_the_queue_max_receive_count():
    """The dispatcher gives up (alerts, 'gave_up') exactly when SQS moves the job to the
    dead-letter queue; both numbers live in infra/resources.json and must agree."""
    template = load_template()
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    queue = next(
        r["Properties"]
        for r in template["Resources"].values()
        if r.get("Type") == "AWS::SQS::Queue"
        and physical_name(r["Properties"]["QueueName"], config.STAGE) == config.DISPATCH_QUEUE
    )
    assert int(variables["DISPATCH_MAX_ATTEMPTS"]) == queue["RedrivePolicy"]["maxReceiveCount"]


# CloudFormation's AWS::S3::Bucket Rule needs at least one of these actions; a rule holding
# only ExpiredObjectDeleteMarker is rejected at deploy (moto and cfn-lint accept it).
_LIFECYCLE_ACTIONS = {
    "AbortIncompleteMultipartUpload",
    "ExpirationDate",
    "ExpirationInDays",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionExpirationInDays",
    "NoncurrentVersionTransition",
    "NoncurrentVersionTransitions",
    "Transition",
    "Transitions",
}


def _lifecycle_rules(template: dict) -> list[dict]:
    return [
        rule
        for res in template["Resources"].values()
        if res.get("Type") == "AWS::S3::Bucket"
        for rule in res["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
    ]


def test_no_lifecycle_rule_consists_only_of_expired_object_delete_marker():
    rules = _lifecycle_rules(load_template())

    assert rules
    for rule in rules:
        assert set(rule) & _LIFECYCLE_ACTIONS, f"{rule['Id']}: CloudFormation needs an action"
        if "ExpiredObjectDeleteMarker" in rule:
            # S3: "cannot be specified with Days or Date in a Lifecycle Expiration Policy"
            assert not {"ExpirationInDays", "ExpirationDate", "TagFilters"} & set(rule), rule["Id"]


def test_leftover_delete_markers_of_unconfirmed_uploads_are_still_removed():
    """The fix keeps the intent: under incoming/ the upload expires after a day, its old
    versions a day later, and the delete marker left with no version goes too."""
    incoming = [r for r in _lifecycle_rules(load_template()) if r["Prefix"] == "incoming/"]

    assert any(r.get("ExpirationInDays") == 1 for r in incoming)
    assert any(
        r.get("ExpiredObjectDeleteMarker") is True
        and r["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
        for r in incoming
    )


_STATEFUL = {
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::Cognito::UserPool",
}


def test_stateful_resources_are_retained_except_when_their_first_create_rolls_back():
    resources = load_template()["Resources"]
    stateful = {k: v for k, v in resources.items() if v.get("Type") in _STATEFUL}

    assert {v["Type"] for v in stateful.values()} == _STATEFUL
    for name, res in stateful.items():
        # Retain would leave a named resource behind when a first deploy rolls back, and
        # the retry would fail with "already exists".
        assert res.get("DeletionPolicy") == "RetainExceptOnCreate", name
        # UpdateReplacePolicy takes Delete, Retain or Snapshot only.
        assert res.get("UpdateReplacePolicy") == "Retain", name
    for name, res in resources.items():
        assert res.get("UpdateReplacePolicy", "Retain") in {"Delete", "Retain", "Snapshot"}, name
        assert res.get("DeletionPolicy") != "Retain", f"{name}: use RetainExceptOnCreate"


def test_a_rolled_back_first_deploy_can_delete_the_tables_it_created():
    """A table with deletion protection refuses DeleteTable, so the rollback of a failed
    first deploy could not remove it despite RetainExceptOnCreate. Protection is a
    parameter that is off unless the operator turns it on once the stack exists."""
    template = load_template()
    parameter = template["Parameters"]["TableDeletionProtection"]
    assert parameter["Default"] == "false"
    assert set(parameter["AllowedValues"]) == {"true", "false"}
    tables = [
        r["Properties"]
        for r in template["Resources"].values()
        if r.get("Type") == "AWS::DynamoDB::Table"
    ]
    assert tables
    for props in tables:
        assert props["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}


def test_the_public_feed_indexes_hold_only_the_feed_entry():
    """The feed's indexes are the model's (keys, INCLUDE projection) and project nothing
    that identifies a reporter or places them finer than the regency."""
    from chalicelib.adapters.dynamodb_models import FEED_PROJECTION, FeedItem

    table = load_template()["Resources"]["ReportsTable"]["Properties"]
    in_template = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    defined = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    in_model = FeedItem._get_schema()["global_secondary_indexes"]
    assert len(in_model) == 5
    for index in in_model:
        declared = in_template[index["index_name"]]
        assert declared["KeySchema"] == index["key_schema"]
        assert declared["Projection"] == {
            "ProjectionType": "INCLUDE",
            "NonKeyAttributes": list(FEED_PROJECTION),
        }
        assert all(defined[k["AttributeName"]] == "S" for k in declared["KeySchema"])
    keys = {k["AttributeName"] for i in in_model for k in i["key_schema"]}
    assert set(FeedItem.get_attributes()) == {"tracking_id", *keys, *FEED_PROJECTION}
    assert not set(FEED_PROJECTION) & {
        "reporter",
        "region",
        "location",
        "channel",
        "incident_date",
        "access_token_hash",
        "routing",
        "unsent",
        "language",
    }
    # DynamoDB's limits on INCLUDE projections: 20 attributes an index, 100 a table
    included = [
        i["Projection"].get("NonKeyAttributes", [])
        for i in in_template.values()
        if i["Projection"]["ProjectionType"] == "INCLUDE"
    ]
    assert max(map(len, included)) <= 20 and sum(map(len, included)) <= 100


def test_the_console_client_is_registered_for_the_code_flow_only_with_a_public_url():
    from devstack.resources import Created, load_template

    template = load_template()
    client = template["Resources"]["StaffUserPoolClient"]["Properties"]
    for public, expected in (("https://lapor.example.go.id", True), ("", False)):
        created = Created(template["Conditions"])
        created.refs.update({"PublicApiUrl": public, "StaffUserPool": "pool", "Stage": "prod"})
        props = created.resolve(client)
        assert props["AllowedOAuthFlowsUserPoolClient"] is expected
        if expected:
            assert props["AllowedOAuthFlows"] == ["code"]
            assert props["CallbackURLs"] == [public + "/staf/masuk/selesai"]
            assert props["LogoutURLs"] == [public + "/", public + "/en"]
            assert "aws.cognito.signin.user.admin" not in props["AllowedOAuthScopes"]
        else:  # Cognito refuses a relative callback URL: none at all until the URL is set
            assert "CallbackURLs" not in props and "AllowedOAuthFlows" not in props
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["STAFF_SIGNIN_URL"] == {
        "Fn::Sub": "https://${StaffUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"
    }
