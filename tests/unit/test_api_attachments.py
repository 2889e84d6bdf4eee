"""Attachments over HTTP (chalice test client, fakes behind bootstrap) and the SQS handler."""

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib.config import settings
from chalicelib.domain.report import AgencyRef
from chalicelib.domain.status import Status
from tests import samples
from tests.unit.api_helpers import VALID, post_report, problem
from tests.unit.test_api_staff import token

JSON = {"Content-Type": "application/json"}
BUCKET = "satupintu-attachments-test"


@pytest.fixture
def client(wired, trusted_staff_tokens, monkeypatch):
    monkeypatch.setenv("ATTACHMENTS_BUCKET", BUCKET)
    settings.cache_clear()
    with Client(app) as c:
        yield c
    settings.cache_clear()


def bearer(agency="pemkot-bandung", groups=("officer",)):
    t = token(**{"cognito:groups": list(groups), "custom:agency_id": agency})
    return {"Authorization": f"Bearer {t}"}


def submit(client, reports, agency=None, **overrides):
    r = post_report(client, {**VALID, **overrides})
    created = json.loads(r.body)
    if agency:
        reports.reports[created["tracking_id"]].agency = AgencyRef(agency, agency)
        reports.reports[created["tracking_id"]].status = Status.AWAITING_FOLLOWUP
    return created["tracking_id"], {"X-Report-Token": created["access_token"]}


def ask(client, tid, headers, **body):
    body = {"filename": "bukti.png", "content_type": "image/png", "size": 1234, **body}
    return client.http.post(
        f"/v1/reports/{tid}/attachments", headers={**JSON, **headers}, body=json.dumps(body)
    )


def deliver(client, store, key):
    """S3's notification for an upload, as the queue hands it to the function."""
    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "bucket": {"name": BUCKET},
                    "object": {"key": key.replace("/", "%2F"), "size": 1},
                },
            }
        ]
    }
    event = client.events.generate_sqs_event(
        message_bodies=[json.dumps(body)], queue_name="satupintu-dev-attachment-uploads"
    )
    return client.lambda_.invoke("on_attachment_uploaded", event).payload


def test_reporter_attaches_a_photo_end_to_end(client, reports, store, publisher):
    tid, mine = submit(client, reports)
    r = ask(client, tid, mine, filename="Foto jalan.png")
    assert r.status_code == 201, r.body
    slot = json.loads(r.body)
    aid = slot["attachment"]["id"]
    assert slot["attachment"]["status"] == "pending"
    assert slot["upload"]["method"] == "POST"
    assert slot["upload"]["fields"]["key"] == f"incoming/{tid}/{aid}"
    assert r.headers["Location"] == f"/v1/reports/{tid}/attachments/{aid}"

    store.upload(slot["upload"]["fields"]["key"], samples.png(), "image/png")
    assert deliver(client, store, slot["upload"]["fields"]["key"]) == {"batchItemFailures": []}

    listed = json.loads(client.http.get(f"/v1/reports/{tid}/attachments", headers=mine).body)
    (item,) = listed["items"]
    assert item["status"] == "accepted" and item["filename"] == "Foto jalan.png"
    assert item["size"] == len(samples.png()) and len(item["sha256"]) == 64
    assert item["links"]["download"]["href"] == f"/v1/reports/{tid}/attachments/{aid}"

    view = json.loads(client.http.get(f"/v1/reports/{tid}", headers=mine).body)
    assert [a["id"] for a in view["attachments"]] == [aid]
    assert view["timeline"][-1]["action"] == "attachment_added"

    got = client.http.get(f"/v1/reports/{tid}/attachments/{aid}", headers=mine)
    assert got.status_code == 302
    assert got.headers["Location"].startswith("https://bucket.example/attachments/")
    assert got.headers["Cache-Control"] == "private, no-store"


def test_upload_slot_needs_a_token_or_a_bearer(client, reports):
    tid, _ = submit(client, reports, agency="pemkot-bandung")
    r = ask(client, tid, {})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    problem(r)
    assert ask(client, tid, {"X-Report-Token": "x" * 43}).status_code == 404
    assert ask(client, tid, bearer()).status_code == 201
    assert ask(client, tid, bearer(agency="kemenkes")).status_code == 403
    assert ask(client, tid, bearer(groups=("executive",))).status_code == 403
    assert ask(client, tid, bearer(agency=None, groups=("platform_admin",))).status_code == 201
    bad = {"Authorization": "Bearer not.a.jwt"}
    assert ask(client, tid, bad).status_code == 401
    assert ask(client, "YYYYYYYYYV", bearer()).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "text/html"}, "content_type"),
        ({"content_type": "video/mp4"}, "content_type"),
        ({"size": 10 * 1024 * 1024 + 1}, "size"),
        ({"size": 0}, "size"),
        ({"size": "12"}, "size"),
        ({"filename": ""}, "filename"),
        ({"extra": 1}, "extra"),
    ],
)
def test_invalid_slot_requests_are_422(client, reports, body, field):
    tid, mine = submit(client, reports)
    r = ask(client, tid, mine, **body)
    assert r.status_code == 422, r.body
    assert field in [e["field"] for e in problem(r)["errors"]]


def test_the_limit_and_closed_reports_are_409(client, reports):
    tid, mine = submit(client, reports)
    for _ in range(5):
        assert ask(client, tid, mine).status_code == 201
    r = ask(client, tid, mine)
    assert r.status_code == 409
    assert problem(r)["type"].endswith("attachment-limit-reached")
    tid, mine = submit(client, reports)
    reports.reports[tid].status = Status.ARCHIVED
    assert problem(ask(client, tid, mine))["type"].endswith("report-closed")


def test_reading_confidential_attachments(client, reports, store):
    tid, mine = submit(client, reports, agency="pemkot-bandung", confidential=True)
    key = json.loads(ask(client, tid, mine).body)["upload"]["fields"]["key"]
    store.upload(key, samples.png(), "image/png")
    deliver(client, store, key)
    aid = key.rsplit("/", 1)[-1]
    url = f"/v1/reports/{tid}/attachments/{aid}"
    assert client.http.get(url).status_code == 401
    assert client.http.get(url, headers=bearer(agency="kemenkes")).status_code == 403
    assert client.http.get(url, headers=bearer()).status_code == 302
    assert client.http.get(f"{url[:-12]}zzzzzzzzzzzz", headers=mine).status_code == 404
    assert client.http.get(f"/v1/reports/{tid}/attachments").status_code == 401


def test_public_report_attachments_are_public(client, reports, store):
    tid, mine = submit(client, reports)
    key = json.loads(ask(client, tid, mine).body)["upload"]["fields"]["key"]
    store.upload(key, samples.png(), "image/png")
    deliver(client, store, key)
    listed = json.loads(client.http.get(f"/v1/reports/{tid}/attachments").body)
    assert [i["status"] for i in listed["items"]] == ["accepted"]
    href = listed["items"][0]["links"]["download"]["href"]
    assert client.http.get(href).status_code == 302


def test_handler_skips_test_events_and_retries_failures(client, store, monkeypatch):
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}
    event = client.events.generate_sqs_event(
        message_bodies=[json.dumps(test_event), "not json"], queue_name="q"
    )
    assert client.lambda_.invoke("on_attachment_uploaded", event).payload == {
        "batchItemFailures": []
    }

    from chalicelib.services import attachments

    def broken(self, key, version_id=None):
        raise ConnectionError("S3 is down")

    monkeypatch.setattr(attachments.AttachmentService, "process_upload", broken)
    payload = deliver(client, store, "incoming/YYYYYYYYYV/zzzzzzzzzzzz")
    assert len(payload["batchItemFailures"]) == 1


def test_handler_decodes_keys_and_ignores_other_buckets():
    from chalicelib.handlers.uploads import s3_objects

    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "b"},
                    "object": {"key": "incoming/AB/foto+jalan%281%29.jpg", "versionId": "v1"},
                },
            },
            {"eventName": "ObjectRemoved:Delete", "s3": {}},
        ]
    }
    assert s3_objects(json.dumps(body)) == [("b", "incoming/AB/foto jalan(1).jpg", "v1")]
    assert s3_objects(json.dumps({"Event": "s3:TestEvent"})) == []
    assert s3_objects("[]") is None
    assert s3_objects(json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]})) is None


def test_openapi_describes_optional_bearer_and_the_redirect(client):
    doc = json.loads(client.http.get("/openapi.json").body)
    post = doc["paths"]["/v1/reports/{tracking_id}/attachments"]["post"]
    # a bearer token or the reporter's X-Report-Token (an apiKey security scheme)
    assert post["security"] == [{"bearerAuth": []}, {"reportToken": []}]
    assert "X-Report-Token" not in {p["name"] for p in post["parameters"]}
    download = doc["paths"]["/v1/reports/{tracking_id}/attachments/{attachment_id}"]["get"]
    assert "Location" in download["responses"]["302"]["headers"]
    assert doc["paths"]["/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
