"""The dispatch SQS handler: partial batch failures and the retry delay it sets."""

import logging

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.fanout import job_to_message
from chalicelib.config import settings
from chalicelib.handlers.dispatcher import on_dispatch_job
from chalicelib.services.dispatch import REPORT_ASSIGNED, Dispatcher, delivery_id
from chalicelib.services.ports import DispatchJob, WebhookTarget
from chalicelib.services.webhooks import new_secret
from tests.builders import submitted_report
from tests.fakes import (
    FakeAgencyQueues,
    FakeAlerts,
    FakeDeliveryLog,
    FakeDispatchQueue,
    FakeTargets,
    FakeWebhookSender,
    FixedClock,
    InMemoryReports,
)
from tests.unit.lambda_events import sqs_event, sqs_record

AGENCY = "pemkot-bandung"
QUEUE_URL = "https://sqs.ap-southeast-3.amazonaws.com/123456789012/pemkot-bandung-laporan"
MAX_ATTEMPTS = settings().dispatch_max_attempts
BASE = settings().dispatch_backoff_base_seconds
CAP = settings().dispatch_backoff_cap_seconds


OCCURRED = "2026-11-27T03:00:00+00:00"


def job(tracking_id="23456789AB", target_type="webhook") -> DispatchJob:
    target_id = "sqs" if target_type == "sqs" else "wh_1"
    return DispatchJob(
        delivery_id(REPORT_ASSIGNED, tracking_id, OCCURRED, target_id),
        REPORT_ASSIGNED,
        tracking_id,
        AGENCY,
        target_type,
        target_id,
        OCCURRED,
    )


class World:
    def __init__(self, statuses=()):
        self.clock = FixedClock()
        self.targets = FakeTargets()
        self.targets.save(
            WebhookTarget("wh_1", AGENCY, "https://hooks.bandung.go.id/x", ("*",), new_secret())
        )
        self.deliveries = FakeDeliveryLog()
        self.webhooks = FakeWebhookSender(statuses)
        self.queues = FakeAgencyQueues()
        self.alerts = FakeAlerts()
        self.dispatch_queue = FakeDispatchQueue()
        self.reports = InMemoryReports()
        for tracking_id in ("23456789AB", "3456789ABC", "456789ABCD", "56789ABCDE"):
            self.reports.add_new(submitted_report(self.clock.now(), tracking_id), None)
        self.dispatcher = Dispatcher(
            targets=self.targets,
            deliveries=self.deliveries,
            webhooks=self.webhooks,
            queues=self.queues,
            alerts=self.alerts,
            clock=self.clock,
            agency_queue_url={AGENCY: QUEUE_URL}.get,
            reports=self.reports,
            max_attempts=MAX_ATTEMPTS,
        )
        bootstrap.override(dispatcher=self.dispatcher, dispatch_queue=self.dispatch_queue)


@pytest.fixture
def world():
    """The handler wired to a Dispatcher made of fakes; statuses for the webhook."""
    bootstrap.reset()
    root = logging.getLogger()  # the handler installs the JSON log handler: undo it
    handlers, level = list(root.handlers), root.level
    yield World
    bootstrap.reset()
    root.handlers = handlers
    root.setLevel(level)


def record(j, n=0, attempt=1) -> dict:
    return sqs_record(job_to_message(j), n, receive_count=attempt)


def test_success_reports_no_failures(world):
    w = world()

    result = on_dispatch_job(sqs_event(record(job()), record(job(target_type="sqs"), 1)), None)

    assert result == {"batchItemFailures": []}
    assert len(w.webhooks.sent) == 1
    assert [url for url, _, _ in w.queues.sent] == [QUEUE_URL]
    assert [r.outcome for r in w.deliveries.records] == ["delivered", "delivered"]
    assert w.dispatch_queue.delays == []


@pytest.mark.parametrize("attempt", [1, 2, 3, 5, MAX_ATTEMPTS - 1])
def test_failing_webhook_is_retried_later_with_backoff(world, attempt):
    w = world([500])

    result = on_dispatch_job(sqs_event(record(job(), attempt=attempt)), None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    [delay] = w.dispatch_queue.delays
    assert 0 <= delay <= min(CAP, BASE * 2 ** (attempt - 1))
    assert isinstance(delay, int)
    assert [(r.outcome, r.attempt) for r in w.deliveries.records] == [("retry", attempt)]


def test_retry_delay_is_set_on_the_failed_messages_receipt(world, monkeypatch):
    w = world([None])
    handles = []
    monkeypatch.setattr(
        w.dispatch_queue, "retry_later", lambda handle, delay: handles.append(handle)
    )
    on_dispatch_job(sqs_event(record(job(), n=4, attempt=2)), None)
    assert handles == ["receipt-4"]


def test_last_attempt_has_no_delay_so_sqs_moves_it_to_the_dlq(world):
    w = world([503])

    result = on_dispatch_job(sqs_event(record(job(), attempt=MAX_ATTEMPTS)), None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert w.dispatch_queue.delays == [0]
    assert [r.outcome for r in w.deliveries.records] == ["gave_up"]
    assert len(w.alerts.alerts) == 1


def test_receive_count_beyond_the_limit_also_has_no_delay(world):
    w = world([503])
    on_dispatch_job(sqs_event(record(job(), attempt=MAX_ATTEMPTS + 3)), None)
    assert w.dispatch_queue.delays == [0]


@pytest.mark.parametrize(
    "body",
    ["not json", "", "{}", '{"delivery_id": "msg_1"}', "[]", "null"],
)
def test_poison_message_is_a_batch_failure(world, body):
    w = world()

    result = on_dispatch_job(sqs_event(sqs_record(body, 0)), None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert w.webhooks.sent == [] and w.deliveries.records == []


def test_mixed_batch_reports_only_the_failed_ids(world):
    # webhook answers: first job 200, second 500; a poison message; an sqs job
    w = world([200, 500])
    event = sqs_event(
        record(job("23456789AB"), 0),
        record(job("3456789ABC"), 1, attempt=2),
        sqs_record("{broken", 2),
        record(job("456789ABCD", target_type="sqs"), 3),
    )

    result = on_dispatch_job(event, None)

    assert result == {
        "batchItemFailures": [{"itemIdentifier": "msg-1"}, {"itemIdentifier": "msg-2"}]
    }
    assert len(w.dispatch_queue.delays) == 1  # only the Retry gets a backoff
    assert 0 <= w.dispatch_queue.delays[0] <= BASE * 2
    delivered = {r.tracking_id for r in w.deliveries.records if r.outcome == "delivered"}
    assert delivered == {"23456789AB", "456789ABCD"}


def test_a_duplicate_job_in_one_batch_is_delivered_once(world):
    w = world()
    result = on_dispatch_job(sqs_event(record(job(), 0), record(job(), 1)), None)
    assert result == {"batchItemFailures": []}
    assert len(w.webhooks.sent) == 1


def test_410_is_not_a_batch_failure(world):
    w = world([410])
    result = on_dispatch_job(sqs_event(record(job())), None)
    assert result == {"batchItemFailures": []}
    assert w.targets.get(AGENCY, "wh_1").active is False
    assert w.dispatch_queue.delays == []


def test_when_the_delay_cannot_be_set_the_message_is_still_a_failure(world, monkeypatch):
    w = world([500])

    def broken(handle, delay):
        raise ConnectionError("sqs down")

    monkeypatch.setattr(w.dispatch_queue, "retry_later", broken)
    result = on_dispatch_job(sqs_event(record(job())), None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
