"""The dispatcher (services.dispatch.Dispatcher): signed webhooks, agency queues, retries."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from chalicelib.adapters import fanout
from chalicelib.domain.report import Actor, AgencyRef
from chalicelib.services import webhooks
from chalicelib.services.dispatch import (
    REPORT_ASSIGNED,
    Dispatcher,
    Retry,
    agency_payload,
    backoff_seconds,
    delivery_id,
    sign,
)
from chalicelib.services.ports import DeliveryAttempt, DispatchJob, WebhookTarget
from tests.builders import submitted_report
from tests.fakes import (
    FakeAgencyQueues,
    FakeAlerts,
    FakeDeliveryLog,
    FakeTargets,
    FakeWebhookSender,
    FixedClock,
    InMemoryReports,
)

AGENCY = "pemkot-bandung"
TRACKING_ID = "23456789AB"
HOOK_URL = "https://hooks.bandung.go.id/satupintu"
QUEUE_URL = "https://sqs.ap-southeast-3.amazonaws.com/123456789012/pemkot-bandung-laporan"
FIFO_URL = "https://sqs.ap-southeast-3.amazonaws.com/123456789012/pemkot-bandung.fifo"
OCCURRED = "2026-11-27T03:00:00+00:00"
MAX_ATTEMPTS = 8


def _report():
    """The report the jobs are about, disposed to the agency."""
    report = submitted_report(
        datetime.fromisoformat(OCCURRED),
        TRACKING_ID,
        description="Jalan di depan Pasar Kosambi berlubang — bahaya bagi pengendara.",
    )
    report.dispose(
        AgencyRef(AGENCY, "Pemerintah Kota Bandung"),
        actor=Actor("platform_admin", "admin"),
        at=datetime.fromisoformat(OCCURRED),
        rule="admin",
        reason="ok",
    )
    return report


# What the agency receives: built from the report at delivery, never carried by the job.
PAYLOAD = agency_payload(_report(), REPORT_ASSIGNED, datetime.fromisoformat(OCCURRED))


def webhook_job(target_id="wh_1") -> DispatchJob:
    return DispatchJob(
        delivery_id(REPORT_ASSIGNED, TRACKING_ID, OCCURRED, target_id),
        REPORT_ASSIGNED,
        TRACKING_ID,
        AGENCY,
        "webhook",
        target_id,
        OCCURRED,
    )


def sqs_job() -> DispatchJob:
    return DispatchJob(
        delivery_id(REPORT_ASSIGNED, TRACKING_ID, OCCURRED, "sqs"),
        REPORT_ASSIGNED,
        TRACKING_ID,
        AGENCY,
        "sqs",
        "sqs",
        OCCURRED,
    )


@pytest.fixture
def clock():
    # Standard Webhooks receivers reject timestamps more than 5 minutes from their own
    # clock, so signatures are made "now" for the real library to verify them.
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def secret():
    return webhooks.new_secret()


@pytest.fixture
def targets(secret, clock):
    t = FakeTargets()
    t.save(
        WebhookTarget(
            "wh_1",
            AGENCY,
            HOOK_URL,
            (REPORT_ASSIGNED,),
            secret,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    return t


class World:
    def __init__(self, targets, clock, statuses=(), queue_urls=None):
        self.targets = targets
        self.clock = clock
        self.reports = InMemoryReports()
        self.reports.add_new(_report(), None)
        self.deliveries = FakeDeliveryLog()
        self.webhooks = FakeWebhookSender(statuses)
        self.queues = FakeAgencyQueues()
        self.alerts = FakeAlerts()
        urls = {AGENCY: QUEUE_URL} if queue_urls is None else queue_urls
        self.dispatcher = Dispatcher(
            targets=targets,
            deliveries=self.deliveries,
            webhooks=self.webhooks,
            queues=self.queues,
            alerts=self.alerts,
            clock=clock,
            agency_queue_url=urls.get,
            reports=self.reports,
            max_attempts=MAX_ATTEMPTS,
        )

    @property
    def outcomes(self):
        return [r.outcome for r in self.deliveries.records]


@pytest.fixture
def world(targets, clock):
    def _world(statuses=(), queue_urls=None):
        return World(targets, clock, statuses, queue_urls)

    return _world


# -- webhooks: success and signatures ---------------------------------------------------------


def test_2xx_is_delivered_and_recorded(world, clock):
    w = world([204])

    outcome = w.dispatcher.deliver(webhook_job(), attempt=1)

    assert outcome.outcome == "delivered"
    [(url, body, _)] = w.webhooks.sent
    assert url == HOOK_URL
    assert json.loads(body) == PAYLOAD
    [record] = w.deliveries.records
    assert record == DeliveryAttempt(
        webhook_job().delivery_id,
        TRACKING_ID,
        REPORT_ASSIGNED,
        AGENCY,
        "webhook",
        "wh_1",
        1,
        "delivered",
        clock.now(),
        http_status=204,
        latency_ms=1.0,
    )
    assert w.alerts.alerts == []


def test_signature_verifies_with_the_standardwebhooks_library(world, secret, clock):
    w = world()
    w.dispatcher.deliver(webhook_job(), attempt=1)
    [(_, body, headers)] = w.webhooks.sent

    assert Webhook(secret).verify(body, headers) == PAYLOAD
    assert headers["webhook-id"] == webhook_job().delivery_id  # receivers dedupe on it
    assert headers["webhook-timestamp"] == str(int(clock.now().timestamp()))
    assert headers["content-type"] == "application/json"
    assert len(headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"Kosambi", b"Kosamb1"), headers)


def test_signature_verifies_whatever_the_clocks_time_zone(targets, secret):
    jakarta = FixedClock(datetime.now(ZoneInfo("Asia/Jakarta")).replace(microsecond=0))
    w = World(targets, jakarta)
    w.dispatcher.deliver(webhook_job(), attempt=1)
    [(_, body, headers)] = w.webhooks.sent
    assert Webhook(secret).verify(body, headers) == PAYLOAD


def test_the_same_job_is_signed_with_the_same_webhook_id_every_time(world):
    w = world([500, 200])
    with pytest.raises(Retry):
        w.dispatcher.deliver(webhook_job(), attempt=1)
    w.dispatcher.deliver(webhook_job(), attempt=2)
    ids = [headers["webhook-id"] for _, _, headers in w.webhooks.sent]
    assert ids == [webhook_job().delivery_id] * 2


def test_during_rotation_both_the_old_and_the_new_secret_verify(world, targets, secret, clock):
    rotated = webhooks.rotate_secret(targets, clock, AGENCY, "wh_1")
    assert rotated.secret != secret and rotated.previous_secret == secret
    assert rotated.previous_secret_until > clock.now()
    w = world()

    w.dispatcher.deliver(webhook_job(), attempt=1)

    [(_, body, headers)] = w.webhooks.sent
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(rotated.secret).verify(body, headers) == PAYLOAD
    assert Webhook(secret).verify(body, headers) == PAYLOAD


def test_after_the_grace_period_only_the_new_secret_verifies(world, targets, secret, clock):
    long_ago = FixedClock(clock.now() - timedelta(hours=25))
    rotated = webhooks.rotate_secret(targets, long_ago, AGENCY, "wh_1")
    assert rotated.previous_secret_until < clock.now()
    w = world()

    w.dispatcher.deliver(webhook_job(), attempt=1)

    [(_, body, headers)] = w.webhooks.sent
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert Webhook(rotated.secret).verify(body, headers) == PAYLOAD
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_sign_at_the_end_of_the_grace_period_uses_only_the_new_secret(secret, clock):
    old = webhooks.new_secret()
    target = WebhookTarget(
        "wh_1",
        AGENCY,
        HOOK_URL,
        ("*",),
        secret,
        previous_secret=old,
        previous_secret_until=clock.now(),
    )
    headers = sign("msg_x", clock.now(), b"{}", target)
    assert len(headers["webhook-signature"].split(" ")) == 1
    just_before = sign("msg_x", clock.now() - timedelta(seconds=1), b"{}", target)
    assert len(just_before["webhook-signature"].split(" ")) == 2


# -- webhooks: failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "detail"),
    [(500, "HTTP 500"), (503, "HTTP 503"), (429, "HTTP 429"), (301, "HTTP 301"), (None, "down")],
)
def test_failure_raises_retry_and_records_it(world, status, detail):
    w = world([status])

    with pytest.raises(Retry) as raised:
        w.dispatcher.deliver(webhook_job(), attempt=3)

    assert detail in raised.value.reason
    [record] = w.deliveries.records
    assert (record.outcome, record.attempt, record.http_status) == ("retry", 3, status)
    if status is None:
        assert "ConnectionRefusedError" in record.error
    assert w.alerts.alerts == []
    assert targets_active(w)


def targets_active(w) -> bool:
    return w.targets.get(AGENCY, "wh_1").active


def test_the_last_attempt_gives_up_and_alerts(world):
    w = world([502])

    with pytest.raises(Retry):
        w.dispatcher.deliver(webhook_job(), attempt=MAX_ATTEMPTS)

    assert w.outcomes == ["gave_up"]
    [(subject, message)] = w.alerts.alerts
    assert "fail" in subject.lower()
    assert TRACKING_ID in message and AGENCY in message and "wh_1" in message


def test_the_attempt_before_the_last_only_retries(world):
    w = world([502])
    with pytest.raises(Retry):
        w.dispatcher.deliver(webhook_job(), attempt=MAX_ATTEMPTS - 1)
    assert w.outcomes == ["retry"]
    assert w.alerts.alerts == []


def test_410_gone_disables_the_target_and_alerts_without_retrying(world, clock):
    w = world([410])
    clock.advance(seconds=30)

    outcome = w.dispatcher.deliver(webhook_job(), attempt=1)  # no Retry raised

    assert outcome.outcome == "disabled"
    stored = w.targets.get(AGENCY, "wh_1")
    assert stored.active is False
    assert "410" in stored.disabled_reason
    assert stored.updated_at == clock.now()
    assert stored.url == HOOK_URL  # the rest is untouched
    assert w.outcomes == ["disabled"]
    assert w.deliveries.records[0].http_status == 410
    [(subject, message)] = w.alerts.alerts
    assert "disabled" in subject.lower() and "wh_1" in message

    # later jobs for the target are skipped without a request
    w.dispatcher.deliver(webhook_job(), attempt=1)
    assert len(w.webhooks.sent) == 1
    assert w.outcomes == ["disabled", "skipped"]


def test_an_already_delivered_job_is_skipped_without_sending(world, clock):
    w = world()
    job = webhook_job()
    w.dispatcher.deliver(job, attempt=1)

    again = w.dispatcher.deliver(job, attempt=1)  # the job was enqueued twice

    assert again.outcome == "skipped"
    assert len(w.webhooks.sent) == 1
    assert w.outcomes == ["delivered"]


def test_a_failed_attempt_does_not_count_as_delivered(world):
    w = world([500])
    with pytest.raises(Retry):
        w.dispatcher.deliver(webhook_job(), attempt=1)
    assert w.dispatcher.deliver(webhook_job(), attempt=2).outcome == "delivered"
    assert len(w.webhooks.sent) == 2
    assert w.outcomes == ["retry", "delivered"]


def test_a_disabled_target_is_skipped(world, targets, clock):
    webhooks.set_active(targets, clock, AGENCY, "wh_1", False)
    w = world()

    outcome = w.dispatcher.deliver(webhook_job(), attempt=1)

    assert outcome.outcome == "skipped"
    assert w.webhooks.sent == []
    assert w.outcomes == ["skipped"]


def test_a_removed_target_is_skipped(world):
    w = world()
    outcome = w.dispatcher.deliver(webhook_job("wh_gone"), attempt=1)
    assert outcome.outcome == "skipped"
    assert w.webhooks.sent == []


# -- the agency's own SQS queue ---------------------------------------------------------------


def test_sqs_target_sends_to_the_agencys_queue(world):
    w = world()

    outcome = w.dispatcher.deliver(sqs_job(), attempt=1)

    assert outcome.outcome == "delivered"
    assert w.queues.sent == [(QUEUE_URL, sqs_job(), PAYLOAD)]
    assert w.webhooks.sent == []
    assert w.outcomes == ["delivered"]


def test_sqs_target_without_a_queue_any_more_is_skipped(world):
    w = world(queue_urls={})
    assert w.dispatcher.deliver(sqs_job(), attempt=1).outcome == "skipped"
    assert w.queues.sent == []
    assert w.outcomes == ["skipped"]


class FailingQueues(FakeAgencyQueues):
    def send(self, queue_url, job, payload):
        raise PermissionError("AccessDenied: not allowed to send to this queue")


def test_sqs_failure_retries_then_gives_up(world):
    w = world()
    w.dispatcher.queues = FailingQueues()

    with pytest.raises(Retry) as raised:
        w.dispatcher.deliver(sqs_job(), attempt=1)
    assert "AccessDenied" in raised.value.reason
    with pytest.raises(Retry):
        w.dispatcher.deliver(sqs_job(), attempt=MAX_ATTEMPTS)

    assert w.outcomes == ["retry", "gave_up"]
    assert "AccessDenied" in w.deliveries.records[0].error
    assert len(w.alerts.alerts) == 1


class StubSqs:
    def __init__(self):
        self.calls = []

    def send_message(self, **params):
        self.calls.append(params)
        return {"MessageId": "m-1"}


@pytest.fixture
def stub_sqs(monkeypatch):
    stub = StubSqs()
    monkeypatch.setattr(fanout, "client", lambda name: stub if name == "sqs" else None)
    return stub


def test_sqs_sender_standard_queue(stub_sqs):
    fanout.SqsAgencyQueueSender().send(QUEUE_URL, sqs_job(), PAYLOAD)

    [params] = stub_sqs.calls
    assert params["QueueUrl"] == QUEUE_URL
    assert json.loads(params["MessageBody"]) == PAYLOAD
    attributes = params["MessageAttributes"]
    assert attributes["event_type"] == {"DataType": "String", "StringValue": REPORT_ASSIGNED}
    assert attributes["tracking_id"]["StringValue"] == TRACKING_ID
    assert attributes["dedupe_id"]["StringValue"] == sqs_job().delivery_id
    assert "MessageGroupId" not in params
    assert "MessageDeduplicationId" not in params


def test_sqs_sender_fifo_queue_gets_group_and_dedupe_ids(stub_sqs):
    fanout.SqsAgencyQueueSender().send(FIFO_URL, sqs_job(), PAYLOAD)

    [params] = stub_sqs.calls
    assert params["MessageGroupId"] == TRACKING_ID  # one report's events stay in order
    assert params["MessageDeduplicationId"] == sqs_job().delivery_id
    assert len(params["MessageDeduplicationId"]) <= 128


def test_job_message_round_trip():
    job = webhook_job()
    assert fanout.job_from_message(fanout.job_to_message(job)) == job


def test_a_job_message_carries_ids_only():
    """Queues (and their DLQs) keep messages for days: no content, no reporter."""
    message = json.loads(fanout.job_to_message(webhook_job()))
    assert set(message) == {
        "delivery_id",
        "event_type",
        "tracking_id",
        "agency_id",
        "target_type",
        "target_id",
        "occurred_at",
        "change",
        "minimal",
    }
    text = json.dumps(message)
    for secret in ("Siti", "6281234567890", "example.id", "Pasar Kosambi"):
        assert secret not in text


def test_an_agency_that_lost_the_report_gets_ids_and_status_only(world):
    w = world()
    w.dispatcher.may_see = lambda agency_id, report: False  # re-routed meanwhile
    w.dispatcher.deliver(webhook_job(), attempt=1)
    [(_, body, _)] = w.webhooks.sent
    data = json.loads(body)["data"]
    assert data == {"tracking_id": TRACKING_ID, "status": "awaiting_followup"}


def test_a_job_for_a_report_that_no_longer_exists_is_skipped(world):
    w = world()
    w.reports.reports.clear()
    assert w.dispatcher.deliver(webhook_job(), attempt=1).outcome == "skipped"
    assert w.webhooks.sent == []


# -- backoff ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 5), (2, 10), (3, 20), (4, 40), (8, 640), (9, 900), (30, 900)],
)
def test_backoff_full_jitter_stays_within_the_exponential_ceiling(attempt, ceiling):
    assert backoff_seconds(attempt, 5, 900, rand=lambda: 0.0) == 0
    assert backoff_seconds(attempt, 5, 900, rand=lambda: 1.0) == ceiling
    highest = backoff_seconds(attempt, 5, 900, rand=lambda: 0.999999)
    assert ceiling - 1 <= highest <= ceiling
    assert backoff_seconds(attempt, 5, 900, rand=lambda: 0.5) == int(ceiling / 2)


def test_backoff_is_spread_uniformly_by_rand():
    draws = iter([0.1, 0.4, 0.9])
    got = [backoff_seconds(4, 5, 900, rand=lambda: next(draws)) for _ in range(3)]
    assert got == [4, 16, 36]


@pytest.mark.parametrize("attempt", [0, -1, -50])
def test_backoff_is_never_negative(attempt):
    for r in (0.0, 0.5, 0.999):
        value = backoff_seconds(attempt, 5, 900, rand=lambda r=r: r)
        assert 0 <= value <= 5


def test_backoff_respects_a_small_cap():
    assert backoff_seconds(10, 5, 7, rand=lambda: 1.0) == 7


def test_backoff_default_rand_stays_in_bounds():
    for _ in range(200):
        assert 0 <= backoff_seconds(3, 5, 900) <= 20
