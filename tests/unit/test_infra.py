"""infra/resources.json agrees with the code that relies on it."""

import json

from app import app
from chalicelib import config
from devstack.resources import load_template


def test_queue_constants_are_the_queues_in_the_template():
    names = {
        r["Properties"]["QueueName"]
        for r in load_template()["Resources"].values()
        if r.get("Type") == "AWS::SQS::Queue"
    }
    assert config.REPORT_SUBMITTED_QUEUE in names
    assert config.ATTACHMENT_UPLOADS_QUEUE in names
    assert config.DISPATCH_QUEUE in names
    assert config.NOTIFICATIONS_QUEUE in names


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
        and r["Properties"].get("QueueName") == config.DISPATCH_QUEUE
    )
    assert int(variables["DISPATCH_MAX_ATTEMPTS"]) == queue["RedrivePolicy"]["maxReceiveCount"]
