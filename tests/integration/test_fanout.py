"""Routing and fan-out against the emulator: real SQS queues, the event pump, the app's
handlers and a real HTTP receiver verifying Standard Webhooks signatures."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib.domain.report import Actor
from devstack.receiver import Receiver

pytestmark = pytest.mark.integration

REPORT = {
    "kind": "complaint",
    "title": "Jalan berlubang di Jalan Cicadas",
    "description": "Lubang besar di Jalan Cicadas sudah tiga bulan tidak diperbaiki dan "
    "membahayakan pengendara motor.",
    "category": "infrastruktur",
    "region": "32.73",
    "reporter": {"name": "Rina Marlina", "phone": "081234500011"},
}


@pytest.fixture
def fast_retries(stack, monkeypatch):
    """Retries become visible at once (backoff base 0) so tests need not wait."""
    from chalicelib import bootstrap, config

    monkeypatch.setenv("DISPATCH_BACKOFF_BASE_SECONDS", "0")
    config.settings.cache_clear()
    bootstrap.reset()
    yield
    config.settings.cache_clear()
    bootstrap.reset()


@pytest.fixture
def pump(stack, seeded_directory, fast_retries):
    from app import app
    from devstack.pump import EventPump

    sqs = stack.client("sqs")
    p = EventPump(app, sqs, "ap-southeast-3", wait_seconds=0)
    subs = {}
    for sub in p.subscriptions():
        url = sqs.get_queue_url(QueueName=sub.queue)["QueueUrl"]
        subs[sub.queue] = (sub, url, f"arn:aws:sqs:ap-southeast-3:123456789012:{sub.queue}")

    def run(rounds: int = 30) -> int:
        handled = 0
        for _ in range(rounds):
            n = sum(p.poll_once(*subs[q]) for q in subs)
            handled += n
            if n == 0:
                break
        return handled

    return run


@pytest.fixture
def client(stack, seeded_directory):
    from chalice.test import Client

    from app import app

    with Client(app) as c:
        yield c


def submit(client, **overrides) -> str:
    r = client.http.post(
        "/v1/reports",
        headers={"Content-Type": "application/json"},
        body=json.dumps({**REPORT, **overrides}),
    )
    assert r.status_code == 201, r.body
    return json.loads(r.body)["tracking_id"]


@pytest.fixture
def webhook(stack, seeded_directory):
    """A receiver registered as pemkot-bandung's webhook (disabled again afterwards)."""
    from chalicelib import bootstrap
    from chalicelib.adapters.webhook_targets import DynamoWebhookTargets
    from chalicelib.services import webhooks

    targets = DynamoWebhookTargets()
    for old in targets.for_agency("pemkot-bandung"):
        webhooks.set_active(targets, bootstrap.clock(), "pemkot-bandung", old.id, False)
    receiver = Receiver()
    target = webhooks.register(
        targets,
        bootstrap.clock(),
        agency_id="pemkot-bandung",
        url=receiver.url,
        events=["report.assigned"],
        dev=True,
    )
    receiver.secret = target.secret
    receiver.target = target
    yield receiver
    webhooks.set_active(targets, bootstrap.clock(), "pemkot-bandung", target.id, False)
    receiver.close()


def drain(sqs, url) -> None:
    while msgs := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in msgs:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def attempts(tracking_id):
    from chalicelib.adapters.deliveries import DynamoDeliveryLog

    return [
        (a.attempt, a.outcome, a.http_status)
        for a in sorted(DynamoDeliveryLog().attempts(tracking_id), key=lambda a: a.attempt)
    ]


def test_routable_report_reaches_the_agency_webhook_signed(client, pump, webhook):
    tid = submit(client)
    pump()
    assert len(webhook.delivered) == 1
    got = webhook.delivered[0].payload
    assert got["type"] == "report.assigned"
    assert got["data"]["tracking_id"] == tid
    assert got["data"]["agency"] == {"id": "pemkot-bandung", "name": "Pemerintah Kota Bandung"}
    assert got["data"]["reporter"]["phone"] == "+6281234500011"
    public = json.loads(client.http.get(f"/v1/reports/{tid}").body)
    assert public["status"] == "awaiting_followup"
    assert public["agency"]["id"] == "pemkot-bandung"
    assert attempts(tid) == [(1, "delivered", 200)]


def test_anonymous_report_payload_has_no_identity(client, pump, webhook):
    submit(client, anonymous=True, confidential=True)
    pump()
    got = webhook.delivered[0].payload
    assert "reporter" not in got["data"]
    text = json.dumps(got)
    assert "Rina" not in text and "6281234500011" not in text
    assert got["data"]["confidential"] is True


def test_unroutable_report_waits_for_an_admin(client, pump, webhook):
    from chalicelib.adapters.report_repository import DynamoReportRepository

    tid = submit(client, category="korupsi-pungli")
    pump()
    assert webhook.requests == []
    reports = DynamoReportRepository()
    assert tid in [r.tracking_id for r in reports.verification_queue(100)]
    report = reports.get(tid)
    assert report.status.value == "unverified"
    assert report.routing.rule == "manual-category"


def test_receiver_down_then_up_gets_it_once_and_the_log_shows_retries(client, pump, webhook):
    webhook.script = [503, 500, 502]  # three failures, then 200
    tid = submit(client)
    pump()
    [delivery] = webhook.delivered
    assert webhook.accepted_count(delivery.webhook_id) == 1
    assert [r.webhook_id for r in webhook.requests] == [delivery.webhook_id] * 4
    assert attempts(tid) == [
        (1, "retry", 503),
        (2, "retry", 500),
        (3, "retry", 502),
        (4, "delivered", 200),
    ]


def test_410_disables_the_target(client, pump, webhook):
    from chalicelib.adapters.webhook_targets import DynamoWebhookTargets

    webhook.script = [410]
    tid = submit(client)
    pump()
    assert attempts(tid) == [(1, "disabled", 410)]
    target = DynamoWebhookTargets().get("pemkot-bandung", webhook.target.id)
    assert target.active is False and "410" in target.disabled_reason
    submit(client)
    pump()
    assert len(webhook.requests) == 1  # nothing more is sent to a disabled target


def test_poison_lands_in_the_dlq_and_redrive_delivers_it(client, pump, webhook, stack):
    from chalicelib.config import settings
    from ops.redrive import redrive

    sqs = stack.client("sqs")
    dlq = sqs.get_queue_url(QueueName="satupintu-dev-dispatch-dlq")["QueueUrl"]
    source = sqs.get_queue_url(QueueName="satupintu-dev-dispatch")["QueueUrl"]
    drain(sqs, dlq)
    webhook.default_status = 500
    tid = submit(client)
    pump(rounds=60)
    max_attempts = settings().dispatch_max_attempts
    assert [a for a, _, _ in attempts(tid)] == list(range(1, max_attempts + 1))
    assert attempts(tid)[-1][1] == "gave_up"
    assert webhook.delivered == []
    dead = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert dead["ApproximateNumberOfMessages"] == "1"

    webhook.default_status = 200  # the agency fixed its receiver
    assert redrive(sqs, source, dlq) == 1
    pump()
    assert len(webhook.delivered) == 1
    assert webhook.delivered[0].payload["data"]["tracking_id"] == tid


def test_redelivered_report_submitted_is_not_disposed_twice(client, pump, webhook, stack):
    from chalicelib.adapters.report_repository import DynamoReportRepository
    from chalicelib.adapters.sqs_publisher import SqsEventPublisher

    tid = submit(client)
    pump()
    before = DynamoReportRepository().get(tid)
    SqsEventPublisher().report_submitted(tid, before.created_at)  # a duplicate message
    pump()
    after = DynamoReportRepository().get(tid)
    assert after.event_count == before.event_count
    assert len(webhook.delivered) == 1  # the re-enqueued job was recognised as delivered


def test_report_updated_reaches_agencies_that_subscribed(client, pump, webhook):
    from chalicelib import bootstrap
    from chalicelib.adapters.report_repository import DynamoReportRepository
    from chalicelib.adapters.webhook_targets import DynamoWebhookTargets

    targets = DynamoWebhookTargets()
    target = targets.get("pemkot-bandung", webhook.target.id)
    targets.save(replace(target, events=("report.assigned", "report.updated")))
    tid = submit(client)
    pump()
    from chalicelib.services import messagebus

    report = DynamoReportRepository().get(tid)
    report.add_attachment("att_1", actor=Actor.reporter(), at=report.updated_at, note="a")
    messagebus.handle(report.events, {tid: report}, bootstrap.outlets())
    pump()
    updates = [d for d in webhook.delivered if d.payload["type"] == "report.updated"]
    [change] = [u.payload["data"]["change"] for u in updates]
    assert (change["change"], change["attachment_id"]) == ("attachment_added", "att_1")
    assert updates[0].payload["data"]["tracking_id"] == tid
