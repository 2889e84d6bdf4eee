"""The outbox: acknowledged by the router, swept when forgotten; and the SQS handler."""

import json
import logging
from datetime import timedelta

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.report import ReportKind
from chalicelib.services import outbox
from chalicelib.services.submission import SubmitReport, submit_report
from tests.fakes import FakePublisher

SECRET = b"unit-test-secret"
GRACE = timedelta(minutes=2)


@pytest.fixture
def add(reports, directory, clock):
    """Submit a report (announced through a throw-away publisher); returns its id."""

    def _add(title="Jembatan rusak"):
        return submit_report(
            SubmitReport(
                ReportKind.COMPLAINT, f"Laporan {title}", "Jembatan desa rusak berat.", True
            ),
            reports=reports,
            publisher=FakePublisher(),
            directory=directory,
            clock=clock,
            token_secret=SECRET,
        ).tracking_id

    return _add


# -- sweep ---------------------------------------------------------------------------------


def test_sweep_republishes_only_old_unacknowledged_reports(reports, publisher, clock, add):
    old = add("old")
    old_but_acknowledged = add("old, acknowledged")
    reports.acknowledge_submitted(old_but_acknowledged)
    clock.advance(minutes=1)
    recent = add("recent")
    clock.advance(seconds=90)  # old: 2m30s > grace; recent: 1m30s < grace

    result = outbox.sweep(reports, publisher, clock, grace=GRACE)

    assert (result.republished, result.failed) == (1, 0)
    assert publisher.published == [old]
    assert recent in reports.outbox
    assert old in reports.outbox  # stays until the router acknowledges it


def test_sweep_keeps_republishing_until_acknowledged(reports, publisher, clock, add):
    a = add()
    clock.advance(minutes=5)
    outbox.sweep(reports, publisher, clock, grace=GRACE)
    outbox.sweep(reports, publisher, clock, grace=GRACE)
    assert publisher.published == [a, a]

    reports.acknowledge_submitted(a)
    result = outbox.sweep(reports, publisher, clock, grace=GRACE)
    assert (result.republished, result.failed) == (0, 0)
    assert publisher.published == [a, a]


def test_failed_republish_is_counted_and_left_for_next_time(reports, publisher, clock, add):
    a, b = add("a"), add("b")
    clock.advance(minutes=3)
    publisher.failing = True

    failed = outbox.sweep(reports, publisher, clock, grace=GRACE)

    assert (failed.republished, failed.failed) == (0, 2)
    assert set(reports.outbox) == {a, b}

    publisher.failing = False
    retried = outbox.sweep(reports, publisher, clock, grace=GRACE)
    assert (retried.republished, retried.failed) == (2, 0)
    assert sorted(publisher.published) == sorted([a, b])


def test_nothing_is_swept_after_acknowledgement(reports, publisher, clock, add):
    ids = [add(str(n)) for n in range(3)]
    for tid in ids:
        reports.acknowledge_submitted(tid)
    clock.advance(hours=1)

    result = outbox.sweep(reports, publisher, clock, grace=GRACE)

    assert (result.republished, result.failed) == (0, 0)
    assert publisher.published == []


def test_sweep_respects_the_limit(reports, publisher, clock, add):
    first = add("first")
    clock.advance(seconds=1)
    add("second")
    clock.advance(minutes=5)

    result = outbox.sweep(reports, publisher, clock, grace=GRACE, limit=1)

    assert result.republished == 1
    assert publisher.published == [first]


# -- the SQS handler -----------------------------------------------------------------------


@pytest.fixture
def root_logging():
    """The handler installs the JSON log handler on the root logger; undo it afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers = handlers
    root.setLevel(level)


@pytest.fixture
def lambda_client(wired, root_logging):
    with Client(app) as client:
        yield client


def _body(tracking_id) -> str:
    return json.dumps(
        {
            "type": "report.submitted",
            "id": "5b0f8a4c-0000-4000-8000-000000000000",
            "timestamp": "2026-11-27T03:00:00+00:00",
            "data": {"tracking_id": tracking_id},
        }
    )


def sqs_event(*bodies: str) -> dict:
    """A Lambda-shaped SQS event; unlike generate_sqs_event, each record has its own id."""
    return {
        "Records": [
            {
                "messageId": f"msg-{n}",
                "receiptHandle": f"receipt-{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {
                    "type": {"stringValue": "report.submitted", "dataType": "String"}
                },
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:"
                "satupintu-dev-report-submitted",
                "awsRegion": "ap-southeast-3",
            }
            for n, body in enumerate(bodies)
        ]
    }


def _invoke(client, event):
    return client.lambda_.invoke("on_report_submitted", event).payload


def test_handler_acknowledges_a_good_message(lambda_client, reports, add):
    a, b = add("a"), add("b")

    result = _invoke(lambda_client, sqs_event(_body(a)))

    assert result == {"batchItemFailures": []}
    assert a not in reports.outbox
    assert b in reports.outbox


def test_handler_acknowledges_every_record_of_a_batch(lambda_client, reports, add):
    ids = [add(str(n)) for n in range(3)]
    result = _invoke(lambda_client, sqs_event(*(_body(t) for t in ids)))
    assert result == {"batchItemFailures": []}
    assert reports.outbox == {}


@pytest.mark.parametrize(
    "bad_body",
    [
        "not json",
        "",
        "[]",
        '"a string"',
        "{}",
        '{"data": null}',
        '{"data": {}}',
        '{"data": "23456789AM"}',
        '{"data": {"tracking_id": null}}',
    ],
)
def test_handler_drops_a_malformed_message(lambda_client, reports, add, bad_body):
    good = add()
    result = _invoke(lambda_client, sqs_event(bad_body, _body(good)))
    assert result == {"batchItemFailures": []}  # never retried
    assert good not in reports.outbox  # the rest of the batch is still handled


def test_handler_drops_a_message_for_an_unknown_report(lambda_client, reports, add):
    a = add()
    result = _invoke(lambda_client, sqs_event(_body("YYYYYYYYYV")))
    assert result == {"batchItemFailures": []}
    assert a in reports.outbox


def test_handler_reports_only_the_failed_record(lambda_client, reports, add, monkeypatch):
    ok_before, broken, ok_after = add("1"), add("2"), add("3")
    real = reports.get

    def flaky(tracking_id):
        if tracking_id == broken:
            raise RuntimeError("DynamoDB throttled")
        return real(tracking_id)

    monkeypatch.setattr(reports, "get", flaky)

    result = _invoke(lambda_client, sqs_event(_body(ok_before), _body(broken), _body(ok_after)))

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert set(reports.outbox) == {broken}


def test_handler_can_be_called_directly_with_a_lambda_event(wired, root_logging, reports, add):
    from chalicelib.handlers.routing import on_report_submitted

    a = add()
    assert on_report_submitted(sqs_event(_body(a)), None) == {"batchItemFailures": []}
    assert reports.outbox == {}
