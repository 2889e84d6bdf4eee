"""The notifications SQS handler: partial batch failures, malformed messages dropped."""

import json
import logging

import pytest

from chalicelib import bootstrap
from chalicelib.handlers.notifications import on_notification
from tests.fakes import FakeMailer
from tests.unit.lambda_events import sqs_event, sqs_record
from tests.unit.test_notify import World, dispose

QUEUE = "satupintu-dev-notifications"


@pytest.fixture
def world():
    bootstrap.reset()
    root = logging.getLogger()  # the handler installs the JSON log handler: undo it
    handlers, level = list(root.handlers), root.level
    w = World()
    bootstrap.override(
        reports=w.reports,
        directory=w.directory,
        mailer=w.mailer,
        sent_markers=w.markers,
        alerts=w.alerts,
        uow=w.uow,
    )
    yield w
    bootstrap.reset()
    root.handlers = handlers
    root.setLevel(level)


def record(message, n):
    body = message if isinstance(message, str) else json.dumps(message)
    return sqs_record(body, n, queue=QUEUE)


def test_sent_dropped_and_failed_messages_in_one_batch(world, capsys):
    first, second = world.submit(1), world.submit(2)
    world.act(first, dispose)
    world.act(second, dispose)
    good, failing = world.messages.messages

    class FailsForSecond(FakeMailer):
        def send(self, to, subject, text):
            if second in subject:
                raise ConnectionError("SES throttled")
            super().send(to, subject, text)

    mailer = FailsForSecond()
    bootstrap.override(mailer=mailer)
    event = sqs_event(
        record(good, 0),
        record("{not json", 1),
        record({"kind": "report_event", "tracking_id": first}, 2),
        record(failing, 3),
    )
    result = on_notification(event, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-3"}]}
    assert [subject for _, subject, _ in mailer.sent] == [
        f"[Satu Pintu] Laporan {first}: Belum Ditindaklanjuti"
    ]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    dropped = [entry for entry in lines if "malformed" in entry["message"]]
    assert len(dropped) == 2 and all(e["level"] == "ERROR" for e in dropped)
    # contact details never reach the log
    assert "siti.rahayu@example.id" not in json.dumps(lines)


def test_a_redelivered_batch_mails_nothing_twice(world):
    t = world.submit()
    world.act(t, dispose)
    (message,) = world.messages.messages
    event = sqs_event(record(message, 0))
    assert on_notification(event, None) == {"batchItemFailures": []}
    assert on_notification(event, None) == {"batchItemFailures": []}
    assert len(world.mailer.sent) == 1


def test_escalations_go_through_the_handler(world):
    from tests.unit.test_notify import overdue

    overdue(world)
    (message,) = world.messages.messages
    assert on_notification(sqs_event(record(message, 0)), None) == {"batchItemFailures": []}
    assert len(world.mailer.sent) == 2 and len(world.alerts.alerts) == 1


def test_the_handler_is_wired_to_the_notifications_queue():
    from app import app

    sources = {s.name: s for s in app.event_sources}
    assert sources["on_notification"].queue == QUEUE
    assert sources["on_notification"].batch_size == 10
