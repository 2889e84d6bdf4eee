"""The event pump against real queues: it must behave as Lambda's SQS event source does
with ReportBatchItemFailures (delete what succeeded; leave failures to the queue's
visibility timeout and redrive policy)."""

from __future__ import annotations

import json
import uuid

import pytest

from devstack.emulator import REGION
from devstack.pump import EventPump

pytestmark = pytest.mark.integration

MAX_RECEIVES = 2


class SQSEventConfig:
    """Shaped like chalice.app.SQSEventConfig; the pump recognises it by class name."""

    def __init__(self, name: str, queue: str, queue_arn: str | None = None, batch_size=10):
        self.name, self.queue, self.queue_arn, self.batch_size = name, queue, queue_arn, batch_size


class ScheduledEventConfig:
    def __init__(self, name: str):
        self.name = name
        self.schedule_expression = "rate(5 minutes)"


class Handler:
    """Records every event it gets; ``outcome(records)`` decides what it returns."""

    def __init__(self, outcome=lambda records: {"batchItemFailures": []}):
        self.outcome = outcome
        self.events: list[dict] = []
        self.contexts: list = []

    def __call__(self, event, context):
        self.events.append(event)
        self.contexts.append(context)
        return self.outcome(event["Records"])

    @property
    def records(self) -> list[dict]:
        return [r for e in self.events for r in e["Records"]]


def fail_bodies(*bodies):
    def outcome(records):
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["messageId"]} for r in records if r["body"] in bodies
            ]
        }

    return outcome


class FakeApp:
    def __init__(self, sub: SQSEventConfig, handler):
        self.event_sources = [sub, ScheduledEventConfig("tick")]
        self.handler_map = {sub.name: handler, "tick": lambda event, context: None}


class Queue:
    def __init__(self, sqs, name: str):
        self.sqs = sqs
        self.dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.url = sqs.create_queue(
            QueueName=name,
            Attributes={
                "VisibilityTimeout": "1",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES}
                ),
            },
        )["QueueUrl"]
        self.arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.name = name

    def send(self, *bodies: str) -> dict[str, str]:
        """body -> the message id SQS assigned."""
        return {
            body: self.sqs.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"]
            for body in bodies
        }

    def count(self, url: str | None = None) -> int:
        """Messages still on the queue, visible or in flight."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def dead_letters(self) -> list[str]:
        response = self.sqs.receive_message(
            QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        return [m["Body"] for m in response.get("Messages", [])]


@pytest.fixture
def queue(aws):
    return Queue(aws("sqs"), f"pump-test-{uuid.uuid4().hex[:12]}")


def make_pump(aws, queue: Queue, handler, *, wait_seconds: int = 3):
    sub = SQSEventConfig("on_test_message", queue.name, batch_size=10)
    pump = EventPump(FakeApp(sub, handler), aws("sqs"), REGION, wait_seconds=wait_seconds)
    return pump, sub


def poll(pump, sub, queue: Queue) -> int:
    return pump.poll_once(sub, queue.url, queue.arn)


def test_subscriptions_come_from_the_apps_sqs_registrations(aws, queue):
    pump, sub = make_pump(aws, queue, Handler())
    assert pump.subscriptions() == [sub]
    assert [s.name for s in pump.schedules()] == ["tick"]


def test_records_carry_the_real_message_ids_and_successes_are_deleted(aws, queue):
    handler = Handler()
    pump, sub = make_pump(aws, queue, handler)
    sent = queue.send("satu", "dua", "tiga")

    received = 0
    while received < 3:
        n = poll(pump, sub, queue)
        assert n > 0, "the pump received nothing"
        received += n

    records = handler.records
    assert sorted(r["messageId"] for r in records) == sorted(sent.values())
    assert len({r["messageId"] for r in records}) == 3
    assert {r["body"]: r["messageId"] for r in records} == sent
    for r in records:
        assert r["eventSource"] == "aws:sqs"
        assert r["eventSourceARN"] == queue.arn
        assert r["awsRegion"] == REGION
        assert r["attributes"]["ApproximateReceiveCount"] == "1"
        assert r["receiptHandle"]
    assert len({r["receiptHandle"] for r in records}) == 3
    assert handler.contexts[0].function_name == "on_test_message"
    assert queue.count() == 0  # deleted, not merely in flight


def test_a_reported_failure_stays_and_comes_back_after_the_visibility_timeout(aws, queue):
    handler = Handler(fail_bodies("gagal"))
    pump, sub = make_pump(aws, queue, handler)
    sent = queue.send("berhasil", "gagal")
    assert poll(pump, sub, queue) == 2

    assert queue.count() == 1  # only the failure is left
    handler.outcome = lambda records: {"batchItemFailures": []}
    assert poll(pump, sub, queue) == 1  # long-polls until the visibility timeout passes

    (retry,) = handler.events[-1]["Records"]
    assert retry["messageId"] == sent["gagal"]
    assert retry["attributes"]["ApproximateReceiveCount"] == "2"
    assert queue.count() == 0


def test_after_max_receive_count_failures_the_message_is_in_the_dlq(aws, queue):
    handler = Handler(fail_bodies("racun"))
    pump, sub = make_pump(aws, queue, handler)
    queue.send("racun")

    for attempt in range(1, MAX_RECEIVES + 1):
        assert poll(pump, sub, queue) == 1
        assert handler.records[-1]["attributes"]["ApproximateReceiveCount"] == str(attempt)
    assert poll(pump, sub, queue) == 0  # the next receive moves it to the DLQ

    assert len(handler.records) == MAX_RECEIVES
    assert queue.count() == 0
    assert queue.dead_letters() == ["racun"]


def test_a_handler_that_raises_leaves_the_whole_batch(aws, queue):
    def explode(records):
        raise RuntimeError("database down")

    handler = Handler(explode)
    pump, sub = make_pump(aws, queue, handler)
    sent = queue.send("a", "b")
    assert poll(pump, sub, queue) == 2

    assert queue.count() == 2
    handler.outcome = lambda records: None  # Lambda: no failures reported means success
    seen = set()
    while len(seen) < 2:
        assert poll(pump, sub, queue) > 0
        seen |= {r["messageId"] for r in handler.events[-1]["Records"]}
        counts = {r["attributes"]["ApproximateReceiveCount"] for r in handler.events[-1]["Records"]}
        assert counts == {"2"}
    assert seen == set(sent.values())
    assert queue.count() == 0


def test_a_malformed_partial_batch_response_fails_the_whole_batch(aws, queue):
    handler = Handler(lambda records: {"batchItemFailures": [{"itemIdentifier": "not-ours"}]})
    pump, sub = make_pump(aws, queue, handler)
    queue.send("x", "y")

    assert poll(pump, sub, queue) == 2

    assert queue.count() == 2


def test_receipt_handles_in_the_event_are_real(aws, queue):
    handler = Handler(
        lambda records: {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    )
    pump, sub = make_pump(aws, queue, handler)
    queue.send("pegang")
    assert poll(pump, sub, queue) == 1
    assert queue.count() == 1

    (record,) = handler.records
    aws("sqs").delete_message(QueueUrl=queue.url, ReceiptHandle=record["receiptHandle"])

    assert queue.count() == 0
