"""Attachments against the emulator: real presigned POSTs with requests, real S3 -> SQS
notifications delivered by the event pump to the real handler, DynamoDB transactions."""

import base64
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

import app as chalice_app
from chalicelib import bootstrap, config
from chalicelib.adapters.attachment_repository import DynamoAttachmentRepository
from chalicelib.adapters.s3_store import S3ObjectStore
from chalicelib.domain.attachment import Attachment, AttachmentStatus, incoming_key
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.report import Actor, AgencyRef, Reporter, ReportKind
from chalicelib.services import attachments as svc
from chalicelib.services.ports import AttachmentAlreadyDecided, SlotsChanged
from chalicelib.services.submission import SubmitReport, submit_report
from devstack.pump import EventPump
from tests import samples
from tests.fakes import FixedClock
from tests.integration.conftest import MAX_BYTES
from tests.integration.uow import accept, save


@pytest.fixture
def aws(s3_env):
    """Here ``aws`` is the emulator with the app's environment set for attachments."""
    return s3_env


pytestmark = pytest.mark.integration
REGION = "ap-southeast-3"


def new_report(*, anonymous=False, agency=None):
    result = submit_report(
        SubmitReport(
            ReportKind.COMPLAINT,
            "Lampu jalan mati",
            "Lampu jalan di Jalan Merdeka mati sejak seminggu, rawan kejahatan.",
            anonymous=anonymous,
            reporter=None if anonymous else Reporter("Budi", "+6281311112222"),
        ),
        reports=bootstrap.reports(),
        publisher=bootstrap.publisher(),
        directory=bootstrap.directory(),
        clock=bootstrap.clock(),
        token_secret=config.settings().require_token_secret(),
    )
    if agency:
        report = bootstrap.reports().get(result.tracking_id)
        report.agency = AgencyRef(agency, agency)
        save(report)
    return result.tracking_id, result.access_token


def ask(tid, token, content_type="image/png", filename="bukti.png", service=None, size=1000):
    service = service or bootstrap.attachment_service()
    return service.request_upload(
        tid, svc.Caller(token), filename=filename, content_type=content_type, size=size
    )


def post_form(slot, data, filename="bukti"):
    """What a browser or `curl -F` does with the form: fields first, the file last."""
    r = requests.post(slot.url, data=slot.fields, files={"file": (filename, data)}, timeout=10)
    assert r.status_code in (200, 201, 204), r.text


def pump(aws, until, timeout=15.0):
    """Run the event pump over the uploads queue until ``until()`` holds."""
    app = chalice_app.app
    (sub,) = [
        s
        for s in EventPump(app, None, REGION).subscriptions()
        if s.queue == config.ATTACHMENT_UPLOADS_QUEUE
    ]
    event_pump = EventPump(app, aws.client("sqs"), REGION)
    arn = f"arn:aws:sqs:{REGION}:123456789012:{sub.queue}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return
        event_pump.poll_once(sub, aws.uploads_queue_url, arn)
    raise AssertionError("the upload was never processed")


def versions(aws, prefix):
    page = aws.client("s3").list_object_versions(Bucket=aws.bucket, Prefix=prefix)
    return page.get("Versions", []) + page.get("DeleteMarkers", [])


def status_of(slot):
    def check():
        a = DynamoAttachmentRepository().get(slot.attachment.tracking_id, slot.attachment.id)
        return a.status is not AttachmentStatus.PENDING

    return check


def decided(slot):
    return DynamoAttachmentRepository().get(slot.attachment.tracking_id, slot.attachment.id)


# -- the bucket as the template defines it -------------------------------------------------


def test_the_local_bucket_is_configured_from_the_template(aws):
    s3 = aws.client("s3")
    assert s3.get_bucket_versioning(Bucket=aws.bucket)["Status"] == "Enabled"
    assert all(
        s3.get_public_access_block(Bucket=aws.bucket)["PublicAccessBlockConfiguration"].values()
    )
    encryption = s3.get_bucket_encryption(Bucket=aws.bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (cors,) = s3.get_bucket_cors(Bucket=aws.bucket)["CORSRules"]
    assert cors["AllowedOrigins"] == ["http://127.0.0.1:8000"] and "POST" in cors["AllowedMethods"]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=aws.bucket)["Rules"]
    unconfirmed = next(r for r in rules if r["ID"] == "remove-unconfirmed-uploads")
    assert unconfirmed["Filter"] == {"Prefix": "incoming/"}
    assert unconfirmed["Expiration"] == {"Days": 1}
    (queue,) = s3.get_bucket_notification_configuration(Bucket=aws.bucket)["QueueConfigurations"]
    assert queue["QueueArn"].endswith(":" + config.ATTACHMENT_UPLOADS_QUEUE)
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "incoming/"}]


# -- the whole path -------------------------------------------------------------------------


def test_presigned_post_upload_is_validated_from_the_real_notification(aws):
    tid, token = new_report(agency="pemkot-bandung")
    slot = ask(tid, token, "image/jpeg", "Foto lampu.jpg")
    assert slot.fields["key"] == slot.attachment.incoming_key
    policy = json.loads(base64.b64decode(slot.fields["policy"]))
    assert {"key": slot.attachment.incoming_key} in policy["conditions"]
    assert ["content-length-range", 1, MAX_BYTES] in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    assert slot.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert expires <= datetime.now(UTC) + timedelta(minutes=5, seconds=5)

    photo = samples.jpeg_with_gps()
    post_form(slot, photo, "Foto lampu.jpg")
    pump(aws, status_of(slot))

    a = decided(slot)
    assert a.status is AttachmentStatus.ACCEPTED
    assert a.sha256 == hashlib.sha256(photo).hexdigest() and a.size == len(photo)
    assert versions(aws, slot.attachment.incoming_key) == []
    timeline = bootstrap.reports().timeline(tid)
    assert timeline[-1].action == "attachment_added"

    service = bootstrap.attachment_service()
    mine = requests.get(service.download_url(tid, a.id, svc.Caller(token)), timeout=10)
    assert mine.content == photo and samples.gps_of(mine.content)
    officer = Principal("s", "officer.bandung", frozenset({Role.OFFICER}), "pemkot-bandung")
    shared = requests.get(
        service.download_url(tid, a.id, svc.Caller(principal=officer)), timeout=10
    )
    assert shared.status_code == 200
    assert samples.gps_of(shared.content) == {}
    assert b"Siti Rahayu" not in shared.content
    assert samples.pixels(shared.content) == samples.pixels(photo)


def test_pdf_upload_with_a_key_needing_url_decoding(aws):
    tid, token = new_report()
    slot = ask(tid, token, "application/pdf", "surat keterangan (1).pdf")
    post_form(slot, samples.pdf())
    pump(aws, status_of(slot))
    assert decided(slot).status is AttachmentStatus.ACCEPTED


# -- everything forged or too big is removed, every version ---------------------------------


@pytest.mark.parametrize(
    ("declared", "data", "reason"),
    [
        ("image/png", samples.png() + b"\x00" * MAX_BYTES, "too_large"),
        ("image/png", samples.HTML, "type_mismatch"),
        ("application/pdf", samples.jpeg_with_gps(), "type_mismatch"),
    ],
)
def test_forged_and_oversized_uploads_leave_nothing_behind(aws, declared, data, reason):
    tid, token = new_report()
    slot = ask(tid, token, declared)
    post_form(slot, data)  # the emulator, like a careless client, ignores the policy
    pump(aws, status_of(slot))
    a = decided(slot)
    assert a.status is AttachmentStatus.REJECTED and a.reason.value == reason
    assert versions(aws, slot.attachment.incoming_key) == []
    assert versions(aws, f"attachments/{tid}/") == []


def test_an_expired_slot_is_rejected(aws):
    tid, token = new_report()
    service = bootstrap.attachment_service()
    service.clock = FixedClock(datetime.now(UTC) - timedelta(minutes=15))
    slot = ask(tid, token, service=service)
    post_form(slot, samples.png())
    pump(aws, status_of(slot))
    assert decided(slot).reason.value == "expired"
    assert versions(aws, slot.attachment.incoming_key) == []


def test_a_key_no_slot_expects_is_removed_with_all_its_versions(aws):
    tid, _ = new_report()
    s3 = aws.client("s3")
    key = incoming_key(tid, "zzzzzzzzzzzz")
    for body in (samples.HTML, samples.png()):
        s3.put_object(Bucket=aws.bucket, Key=key, Body=body)
    odd = "incoming/not a report/payload.html"
    s3.put_object(Bucket=aws.bucket, Key=odd, Body=samples.HTML)
    pump(aws, lambda: versions(aws, key) == [] and versions(aws, odd) == [])


def test_the_test_event_is_skipped(aws):
    s3 = aws.client("s3")
    config_now = s3.get_bucket_notification_configuration(Bucket=aws.bucket)
    config_now.pop("ResponseMetadata")
    # Reapplying the configuration makes S3 send another s3:TestEvent.
    s3.put_bucket_notification_configuration(
        Bucket=aws.bucket, NotificationConfiguration=config_now
    )
    sqs = aws.client("sqs")
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not seen:
        messages = sqs.receive_message(
            QueueUrl=aws.uploads_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for m in messages:
            sqs.delete_message(QueueUrl=aws.uploads_queue_url, ReceiptHandle=m["ReceiptHandle"])
        seen += [m["Body"] for m in messages if "s3:TestEvent" in m["Body"]]
    assert seen, "no s3:TestEvent arrived"
    from chalice.test import Client

    with Client(chalice_app.app) as client:
        event = client.events.generate_sqs_event(message_bodies=seen[:1], queue_name="q")
        result = client.lambda_.invoke("on_attachment_uploaded", event).payload
    assert result == {"batchItemFailures": []}
    assert versions(aws, "incoming/") == []


# -- adapters ---------------------------------------------------------------------------------


def test_delete_all_versions_removes_versions_and_delete_markers_of_exactly_one_key(aws):
    s3, store = aws.client("s3"), S3ObjectStore()
    for body in (b"1", b"2"):
        s3.put_object(Bucket=aws.bucket, Key="incoming/x/y", Body=body)
    s3.delete_object(Bucket=aws.bucket, Key="incoming/x/y")  # a delete marker
    s3.put_object(Bucket=aws.bucket, Key="incoming/x/y-longer", Body=b"keep")
    assert store.delete_all_versions("incoming/x/y") == 3
    assert versions(aws, "incoming/x/y") == [
        v for v in versions(aws, "incoming/x/y") if v["Key"] == "incoming/x/y-longer"
    ]
    assert store.head("incoming/x/y") is None
    store.delete_all_versions("incoming/x/y-longer")


def test_slot_counter_and_decisions_are_conditional(aws):
    tid, _ = new_report()
    repo = DynamoAttachmentRepository()
    report = bootstrap.reports().get(tid)
    now = datetime.now(UTC)

    def slot():
        return Attachment.open(
            report,
            filename="a.png",
            content_type="image/png",
            declared_size=5,
            by=Actor.reporter(),
            at=now,
            window=timedelta(minutes=5),
        )

    first = slot()
    repo.add(first, 0)
    with pytest.raises(SlotsChanged):
        repo.add(slot(), 0)  # read before the first was added
    items, opened = repo.slots(tid)
    assert opened == 1 and [a.id for a in items] == [first.id]

    stale = bootstrap.reports().get(tid)
    fresh = bootstrap.reports().get(tid)
    fresh.record("other", actor=Actor.system("test"), at=now)
    save(fresh)
    stale.record("attachment_added", actor=Actor.reporter(), at=now)
    accepted = first.accepted(size=5, sha256="0" * 64, original_key="k", decided_at=now)
    with pytest.raises(ConcurrentUpdate):
        accept(accepted, stale)
    assert repo.get(tid, first.id).status is AttachmentStatus.PENDING

    current = bootstrap.reports().get(tid)
    current.record("attachment_added", actor=Actor.reporter(), at=now)
    accept(accepted, current)
    assert repo.get(tid, first.id) == accepted
    assert [e.action for e in bootstrap.reports().timeline(tid)][-2:] == [
        "other",
        "attachment_added",
    ]
    again = bootstrap.reports().get(tid)
    again.record("attachment_added", actor=Actor.reporter(), at=now)
    with pytest.raises(AttachmentAlreadyDecided):
        accept(accepted, again)
    with pytest.raises(AttachmentAlreadyDecided):
        repo.reject(first)
