"""Nothing stranded: a report whose report.submitted could not be enqueued is re-published
by the sweeper through real SQS, and leaves the outbox once the app's handler has it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.directory import DynamoDirectory
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.adapters.sqs_publisher import SqsEventPublisher
from chalicelib.config import settings
from chalicelib.domain import tracking_id
from chalicelib.domain.report import Channel, Report, Reporter, ReportKind
from chalicelib.services import outbox
from chalicelib.services.submission import SubmitReport, submit_report
from devstack import pump
from devstack.emulator import REGION

pytestmark = pytest.mark.integration

# The sweeps here run with a clock in 1999, so their cutoff excludes every report the
# other integration tests create (and the count of republished messages is exact).
LONG_AGO = datetime(1999, 1, 4, 2, 0, tzinfo=UTC)
REPORTER = Reporter("Siti Rahayu", "+6281234567890", "siti.rahayu@example.id")
SECRET = b"integration-test-token-secret-0123456789"


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def app_handler(stack):
    import app

    bootstrap.reset()  # the app builds its adapters from the emulator's environment
    yield app.app.handler_map["on_report_submitted"]
    bootstrap.reset()


@pytest.fixture
def queue(stack, aws):
    url = stack.env["REPORT_SUBMITTED_QUEUE_URL"]
    arn = stack.created.attrs[("ReportSubmittedQueue", "Arn")]
    return url, arn


def receive(sqs, url: str, *needles: str, attempts: int = 10) -> list[dict]:
    """The messages whose bodies contain the needles, in their order; any other message
    is made visible again at once for whoever wants it."""
    found: dict[str, dict] = {}
    for _ in range(attempts):
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            needle = next((n for n in needles if n in message["Body"]), None)
            if needle is not None and needle not in found:
                found[needle] = message
            else:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        if len(found) == len(needles):
            return [found[n] for n in needles]
    raise AssertionError(f"missing on {url}: {set(needles) - set(found)}")


def invoke(handler, messages: list[dict], arn: str):
    event = pump.sqs_event(messages, arn, REGION)
    context = pump.LambdaContext("on_report_submitted", str(uuid.uuid4()))
    return handler(event, context)


def test_a_report_whose_enqueue_failed_is_swept_received_and_acknowledged(
    stack, aws, queue, seeded_directory, app_handler
):
    url, arn = queue
    sqs = aws("sqs")
    repo = DynamoReportRepository()
    clock = Clock(LONG_AGO)
    grace = timedelta(seconds=settings().outbox_grace_seconds)
    broken = SqsEventPublisher(f"{stack.endpoint}/123456789012/satupintu-no-such-queue")
    command = SubmitReport(
        kind=ReportKind.COMPLAINT,
        title="Antrean puskesmas sangat lama",
        description="Dokter tidak ada di tempat sejak pagi, pasien menunggu lima jam.",
        reporter=REPORTER,
        category="kesehatan",
        region="32.73",
        channel=Channel.WEB,
    )

    # 1. The enqueue fails: the citizen still gets a result, the report waits in the outbox.
    result = submit_report(
        command,
        reports=repo,
        publisher=broken,
        directory=DynamoDirectory(),
        clock=clock,
        token_secret=SECRET,
    )
    tid = result.tracking_id
    assert tracking_id.is_valid(tid)
    assert repo.get(tid).reporter == REPORTER
    assert repo.unacknowledged(older_than=LONG_AGO + timedelta(seconds=1), limit=100) == [tid]

    # 2. Inside the grace period the sweeper leaves it alone; past it, it re-publishes.
    working = SqsEventPublisher(stack.env["REPORT_SUBMITTED_QUEUE_URL"])
    assert outbox.sweep(repo, working, clock, grace=grace) == outbox.SweepResult(0, 0)
    clock.at = LONG_AGO + grace + timedelta(seconds=1)
    assert outbox.sweep(repo, working, clock, grace=grace) == outbox.SweepResult(1, 0)

    # 3. The message on the real queue carries the id only: no personal data.
    (message,) = receive(sqs, url, tid)
    body = json.loads(message["Body"])
    assert set(body) == {"type", "id", "timestamp", "data"}
    assert body["type"] == "report.submitted"
    assert body["data"] == {"tracking_id": tid}
    assert uuid.UUID(body["id"])
    assert datetime.fromisoformat(body["timestamp"]) == clock.at
    assert message["MessageAttributes"]["type"]["StringValue"] == "report.submitted"
    everything_sent = message["Body"] + json.dumps(message["MessageAttributes"])
    for secret in (
        "Siti",
        "Rahayu",
        "81234567890",
        "siti.rahayu@example.id",
        "example.id",
        command.description,
    ):
        assert secret not in everything_sent

    # 4. The app's SQS handler, invoked as Lambda would, takes it out of the outbox.
    assert invoke(app_handler, [message], arn) == {"batchItemFailures": []}
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert tid not in repo.unacknowledged(older_than=clock.at, limit=100)

    # 5. Nothing left to sweep.
    clock.at += grace * 10
    assert outbox.sweep(repo, working, clock, grace=grace) == outbox.SweepResult(0, 0)


def test_a_successful_submission_is_on_the_queue_at_once(stack, aws, queue, seeded_directory):
    url, _ = queue
    repo = DynamoReportRepository()
    result = submit_report(
        SubmitReport(
            kind=ReportKind.ASPIRATION,
            title="Tambah jalur bus",
            description="Mohon tambah jalur bus ke kawasan industri.",
            reporter=REPORTER,
            anonymous=True,
        ),
        reports=repo,
        publisher=SqsEventPublisher(stack.env["REPORT_SUBMITTED_QUEUE_URL"]),
        directory=DynamoDirectory(),
        clock=Clock(datetime.now(UTC)),
        token_secret=SECRET,
    )

    (message,) = receive(aws("sqs"), url, result.tracking_id)

    assert json.loads(message["Body"])["data"] == {"tracking_id": result.tracking_id}
    assert "Siti" not in message["Body"]
    aws("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_the_handler_acknowledges_known_reports_and_drops_what_it_can_never_process(
    stack, aws, queue, app_handler
):
    url, arn = queue
    sqs = aws("sqs")
    repo = DynamoReportRepository()
    at = datetime(2026, 2, 2, 2, 2, tzinfo=UTC)
    known = Report.submit(
        at=at,
        tracking_id=tracking_id.generate(),
        kind=ReportKind.COMPLAINT,
        title="Lampu jalan mati",
        description="Lampu jalan di Jalan Merdeka mati sejak seminggu.",
        channel=Channel.API,
        anonymous=False,
        confidential=False,
        access_token_hash="x",
    )
    repo.add_new(known, None)
    unknown = tracking_id.generate()
    bodies = {
        "known": json.dumps(
            {"type": "report.submitted", "data": {"tracking_id": known.tracking_id}}
        ),
        "unknown": json.dumps({"type": "report.submitted", "data": {"tracking_id": unknown}}),
        "malformed": "not json at all " + uuid.uuid4().hex,
    }
    for body in bodies.values():
        sqs.send_message(QueueUrl=url, MessageBody=body)
    messages = receive(sqs, url, *bodies.values())
    assert len({m["MessageId"] for m in messages}) == 3

    result = invoke(app_handler, messages, arn)

    assert result == {"batchItemFailures": []}  # nothing here would succeed on a retry
    assert known.tracking_id not in repo.unacknowledged(older_than=at + timedelta(1), limit=1000)
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
