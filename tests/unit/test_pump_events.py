"""The event pump's pure helpers: Lambda-shaped SQS events, partial batch responses,
schedule rates."""

import hashlib
import json

import pytest
from chalice import Cron, Rate
from chalice.app import SQSEvent

from devstack.pump import failed_ids, schedule_seconds, sqs_event

ARN = "arn:aws:sqs:ap-southeast-3:123456789012:satupintu-dev-report-submitted"
REGION = "ap-southeast-3"
LAMBDA_RECORD_KEYS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}


def received(n: int, body: str | None = None, **extra) -> dict:
    """A message as boto3's receive_message returns it."""
    body = body if body is not None else json.dumps({"data": {"tracking_id": f"id-{n}"}})
    message = {
        "MessageId": f"0b7c-{n}",
        "ReceiptHandle": f"AQEB-receipt-{n}",
        "Body": body,
        "Attributes": {
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1795748400000",
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1795748399000",
            "Policy": "not a message attribute Lambda passes on",
        },
        "MessageAttributes": {
            "type": {"StringValue": "report.submitted", "DataType": "String"},
        },
    }
    message.update(extra)
    return message


def test_sqs_event_builds_lambda_shaped_records():
    messages = [received(0, MD5OfBody="d41d8cd98f00b204e9800998ecf8427e"), received(1)]

    event = sqs_event(messages, ARN, REGION)

    assert list(event) == ["Records"]
    first, second = event["Records"]
    for record, message in zip(event["Records"], messages, strict=True):
        assert set(record) == LAMBDA_RECORD_KEYS
        assert record["messageId"] == message["MessageId"]
        assert record["receiptHandle"] == message["ReceiptHandle"]
        assert record["body"] == message["Body"]
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == ARN
        assert record["awsRegion"] == REGION
        assert record["attributes"] == {
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1795748400000",
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1795748399000",
        }
        attribute = record["messageAttributes"]["type"]
        assert attribute["stringValue"] == "report.submitted"
        assert attribute["dataType"] == "String"
        assert list(record["messageAttributes"]) == ["type"]
    assert first["messageId"] != second["messageId"]
    assert first["md5OfBody"] == "d41d8cd98f00b204e9800998ecf8427e"  # SQS's own value kept
    assert second["md5OfBody"] == hashlib.md5(second["body"].encode()).hexdigest()


def test_sqs_event_is_json_serialisable_like_a_real_invocation():
    event = sqs_event([received(0)], ARN, REGION)
    assert json.loads(json.dumps(event)) == event


def test_sqs_event_without_attributes():
    message = {"MessageId": "m", "ReceiptHandle": "r", "Body": "héllo"}
    [record] = sqs_event([message], ARN, REGION)["Records"]
    assert record["attributes"] == {}
    assert record["messageAttributes"] == {}
    assert record["md5OfBody"] == hashlib.md5("héllo".encode()).hexdigest()


def test_sqs_event_of_no_messages_has_no_records():
    assert sqs_event([], ARN, REGION) == {"Records": []}


def test_chalice_reads_the_event_the_pump_builds():
    event = sqs_event([received(0), received(1)], ARN, REGION)
    records = list(SQSEvent(event, None))
    assert [r.body for r in records] == [m["Body"] for m in (received(0), received(1))]
    assert [r.receipt_handle for r in records] == ["AQEB-receipt-0", "AQEB-receipt-1"]
    assert [r.to_dict()["messageId"] for r in records] == ["0b7c-0", "0b7c-1"]


RECORDS = [{"messageId": "m1"}, {"messageId": "m2"}, {"messageId": "m3"}]
ALL = {"m1", "m2", "m3"}


@pytest.mark.parametrize(
    "result",
    [None, "ok", 0, ["m1"], {}, {"republished": 1}, {"batchItemFailures": None}],
)
def test_no_partial_batch_response_means_nothing_failed(result):
    assert failed_ids(result, RECORDS) == set()


def test_empty_failure_list_means_nothing_failed():
    assert failed_ids({"batchItemFailures": []}, RECORDS) == set()


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([{"itemIdentifier": "m2"}], {"m2"}),
        ([{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}], {"m1", "m3"}),
        ([{"itemIdentifier": "m2"}, {"itemIdentifier": "m2"}], {"m2"}),
    ],
)
def test_listed_ids_fail(failures, expected):
    assert failed_ids({"batchItemFailures": failures}, RECORDS) == expected


@pytest.mark.parametrize(
    "failures",
    [
        [{"itemIdentifier": "m9"}],  # not in this batch
        [{"itemIdentifier": "m1"}, {"itemIdentifier": "nope"}],
        [{}],  # missing itemIdentifier
        [{"ItemIdentifier": "m1"}],  # wrong key name
        [{"itemIdentifier": ""}],
        [{"itemIdentifier": None}],
        ["m1"],  # not an object
        [None],
        {"itemIdentifier": "m1"},  # an object instead of a list
        5,
        True,
    ],
)
def test_malformed_failure_response_fails_the_whole_batch(failures):
    assert failed_ids({"batchItemFailures": failures}, RECORDS) == ALL


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        (Rate(1, unit=Rate.MINUTES), 60),
        (Rate(2, unit=Rate.MINUTES), 120),
        (Rate(1, unit=Rate.HOURS), 3600),
        (Rate(3, unit=Rate.DAYS), 3 * 86400),
        ("rate(5 minutes)", 300),
        ("rate(1 minute)", 60),
        ("rate(12 hours)", 12 * 3600),
        ("rate(1 day)", 86400),
        (" rate(10 minutes) ", 600),
    ],
)
def test_schedule_seconds_parses_rates(expression, seconds):
    assert schedule_seconds(expression) == seconds


def test_a_daily_cron_runs_a_day_apart():
    assert schedule_seconds(Cron(30, 17, "*", "*", "?", "*")) == 86400
    assert schedule_seconds("cron(0 10 * * ? *)") == 86400


@pytest.mark.parametrize(
    "expression",
    [
        Cron(0, 10, "1", "*", "?", "*"),  # monthly: not understood
        "cron(0 10 ? * MON *)",  # weekly on a weekday
        "cron(0 10 * *)",
        "rate(5 seconds)",
        "rate(five minutes)",
        "rate(-1 minutes)",
        "rate(0 minutes)",  # AWS refuses it; the pump would spin
        "rate(5minutes)",
        "5 minutes",
        "",
    ],
)
def test_schedule_seconds_rejects_anything_but_a_positive_rate_or_a_daily_cron(expression):
    with pytest.raises(ValueError):
        schedule_seconds(expression)


def test_the_apps_own_schedules_are_understood():
    from app import app

    schedules = {
        s.name: schedule_seconds(s.schedule_expression)
        for s in app.event_sources
        if hasattr(s, "schedule_expression")
    }
    assert schedules["sweep_outbox"] == 120
