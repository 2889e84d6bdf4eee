"""The intake worker's SQS handler: each key processed, malformed messages dropped, a
failed one reported alone (retried, then the DLQ), no sender or text in the log."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from chalicelib import bootstrap
from chalicelib.domain.inbound import InboundMessage
from chalicelib.domain.report import Channel
from chalicelib.handlers.channel_inbox import on_channel_message
from tests.fakes import FakeChannelSender, FakeInboundMessages, FakeIntakeQueue
from tests.unit.lambda_events import sqs_event, sqs_record

QUEUE = "satupintu-dev-channel-inbox"
PHONE = "+6281234567890"
TEXT = "Lampu jalan di Jl. Merdeka mati sejak sepekan, rawan kecelakaan."


@pytest.fixture
def parts(wired):
    root = logging.getLogger()  # the handler installs the JSON log handler: undo it
    handlers, level = list(root.handlers), root.level
    parts = {
        "inbound_messages": FakeInboundMessages(),
        "intake_queue": FakeIntakeQueue(),
        "channel_sender": FakeChannelSender(),
    }
    bootstrap.override(**parts)
    yield parts
    root.handlers = handlers
    root.setLevel(level)


def record(body, n):
    return sqs_record(body if isinstance(body, str) else json.dumps(body), n, queue=QUEUE)


def test_processed_dropped_and_failed_records_in_one_batch(parts, reports, capsys):
    def message(n, sender):
        m = InboundMessage(Channel.WHATSAPP, f"wamid.{n}", sender, TEXT, datetime.now(UTC))
        bootstrap.channel_intake().accept([m])
        return m.key

    good = message(1, PHONE)
    failing = message(2, "+6281299999999")

    class FailsForSecond(FakeChannelSender):
        def send(self, channel, to, text, **kwargs):
            if to == "+6281299999999":
                raise ConnectionError("provider down")
            super().send(channel, to, text, **kwargs)

    sender = FailsForSecond()
    bootstrap.override(channel_sender=sender)
    event = sqs_event(
        record({"key": good}, 0),
        record("{not json", 1),
        record({"key": 5}, 2),
        record({"key": failing}, 3),
    )
    assert on_channel_message(event, None) == {"batchItemFailures": [{"itemIdentifier": "msg-3"}]}
    assert [to for _, to, *_ in sender.sent] == [PHONE]
    assert len(reports.reports) == 2  # the failed one was filed; its answer is retried
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert sum("malformed" in e["message"] for e in lines) == 2
    assert PHONE not in json.dumps(lines) and "Merdeka" not in json.dumps(lines)
