"""Notifications against the emulator: a disposal committed by the DynamoDB unit of work
goes through the message bus onto the real notifications queue, the SQS handler sends it
through moto's SES, and it is read back the way `python -m devstack outbox` reads it.
Markers, the access-link rate limit and the token renewal use the real tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.access_link_limits import DynamoAccessLinkLimits
from chalicelib.adapters.notifications import SqsReporterMessages
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.adapters.sent_markers import DynamoSentMarkers
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain import tracking_id
from chalicelib.domain.report import Actor, AgencyRef, Channel, Report, Reporter, ReportKind
from chalicelib.handlers.notifications import on_notification
from chalicelib.services import access_links, access_tokens, messagebus
from devstack import outbox
from devstack.resources import LOCAL_MAIL_SENDER
from tests.fakes import FakeDirectory, FakeDispatchQueue, FakeTargets

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
ADMIN = Actor("platform_admin", "admin")


@pytest.fixture
def app_env(stack):
    bootstrap.reset()
    yield stack
    bootstrap.reset()


def store_report(email: str) -> str:
    report = Report.submit(
        at=T0,
        tracking_id=tracking_id.generate(),
        kind=ReportKind.COMPLAINT,
        title="Jalan berlubang di depan pasar",
        description="Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        channel=Channel.API,
        anonymous=False,
        confidential=False,
        access_token_hash=access_tokens.digest("old-token"),
        reporter=Reporter("Siti Rahayu", "+6281234567890", email),
    )
    DynamoReportRepository().add_new(report, None)
    return report.tracking_id


def dispose(tid: str, queue_url: str) -> None:
    with DynamoUnitOfWork() as uow:
        report = uow.reports.get(tid)
        report.dispose(
            AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung"),
            actor=ADMIN,
            at=T0,
            rule="admin",
            reason="verified",
        )
        uow.reports.save(report)
        uow.commit()
        events = uow.collect_new_events()
    outlets = messagebus.Outlets(
        FakeDirectory(), FakeTargets(), FakeDispatchQueue(), SqsReporterMessages(queue_url)
    )
    messagebus.handle(events, {tid: report}, outlets, only=(messagebus.tell_reporter,))


def receive_for(aws, queue_url: str, tid: str) -> list[dict]:
    """The queue's records about this report, as Lambda would be given them."""
    sqs = aws("sqs")
    found = []
    for _ in range(5):
        response = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30
        )
        for m in response.get("Messages", []):
            if json.loads(m["Body"]).get("tracking_id") == tid:
                found.append(m)
        if found:
            break
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:satupintu-dev-notifications",
            "awsRegion": "ap-southeast-3",
        }
        for m in found
    ]


def mails_to(stack, address: str) -> list[outbox.SentMail]:
    return [m for m in outbox.sent_mail(stack.endpoint) if address in m.to]


def test_a_disposal_reaches_the_reporter_through_sqs_and_ses(app_env, aws):
    stack = app_env
    queue_url = stack.env["NOTIFICATIONS_QUEUE_URL"]
    address = f"siti.{tracking_id.generate().lower()}@example.id"
    tid = store_report(address)
    dispose(tid, queue_url)
    records = receive_for(aws, queue_url, tid)
    assert len(records) == 1
    assert set(json.loads(records[0]["body"])) == {"kind", "event_id", "tracking_id", "type", "seq"}

    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    (mail,) = mails_to(stack, address)
    assert mail.source == LOCAL_MAIL_SENDER
    assert mail.subject == f"[Satu Pintu] Laporan {tid}: Belum Ditindaklanjuti"
    assert f"{stack.env['PORTAL_URL']}/v1/reports/{tid}" in mail.body

    # SQS delivers at least once: the same message again mails nothing
    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    assert len(mails_to(stack, address)) == 1

    rendered = outbox.main(stack.endpoint, to=address)
    assert f"To:      {address}" in rendered and tid in rendered


def test_markers_claim_once_and_release(app_env):
    markers = DynamoSentMarkers()
    tid = tracking_id.generate()
    assert markers.claim(tid, "notified#e1#reporter") is True
    assert markers.claim(tid, "notified#e1#reporter") is False
    markers.release(tid, "notified#e1#reporter")
    assert markers.claim(tid, "notified#e1#reporter") is True


def test_the_access_link_limit_counts_per_report_and_hour(app_env):
    limits = DynamoAccessLinkLimits()
    tid = tracking_id.generate()
    assert [limits.allow(tid, T0, 3) for _ in range(4)] == [True, True, True, False]
    assert limits.allow(tracking_id.generate(), T0, 3) is True
    assert limits.allow(tid, T0.replace(hour=4), 3) is True


def test_a_new_access_link_replaces_the_token_and_is_mailed(app_env, aws):
    stack = app_env
    queue_url = stack.env["NOTIFICATIONS_QUEUE_URL"]
    address = f"budi.{tracking_id.generate().lower()}@example.id"
    tid = store_report(address)
    queued = access_links.request_access_link(
        tid,
        "email",
        address,
        request_id="req-1",
        reports=DynamoReportRepository(),
        limits=DynamoAccessLinkLimits(),
        messages=SqsReporterMessages(queue_url),
        clock=type("Clock", (), {"now": lambda self: datetime.now(UTC)})(),
    )
    assert queued
    records = receive_for(aws, queue_url, tid)
    assert on_notification({"Records": records}, None) == {"batchItemFailures": []}
    (mail,) = mails_to(stack, address)
    token = mail.body.split("#token=")[1].split()[0]
    stored = DynamoReportRepository().get(tid)
    assert access_tokens.matches(token, stored.access_token_hash)
    assert not access_tokens.matches("old-token", stored.access_token_hash)
