"""Attachments on the local stack, as a person does it with curl: ask for a form, upload
with its fields, wait for the check, list, download through the redirect."""

import json
import time

import pytest

from tests import samples
from tests.e2e.conftest import report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}


def submit(stack, http, **overrides):
    r = http.post(f"{stack.url}/v1/reports", data=report_body(**overrides), headers=JSON)
    assert r.status_code == 201, r.text
    created = r.json()
    return created["tracking_id"], {"X-Report-Token": created["access_token"]}


def attach(stack, http, tid, headers, filename, content_type, data):
    r = http.post(
        f"{stack.url}/v1/reports/{tid}/attachments",
        headers={**JSON, **headers},
        data=json.dumps({"filename": filename, "content_type": content_type, "size": len(data)}),
    )
    assert r.status_code == 201, r.text
    slot = r.json()
    form = slot["upload"]
    # Like `curl -F field=value ... -F file=@photo`: every returned field, the file last.
    up = http.post(form["url"], data=form["fields"], files={"file": (filename, data)})
    assert up.status_code in (200, 201, 204), up.text
    return slot["attachment"]["id"]


def wait_for(stack, http, tid, headers, aid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = http.get(f"{stack.url}/v1/reports/{tid}/attachments", headers=headers).json()
        found = {i["id"]: i for i in items["items"]}
        if found.get(aid, {}).get("status") not in (None, "pending"):
            return found[aid]
        time.sleep(0.3)
    raise AssertionError("the pump never validated the upload:\n" + stack.log.read_text()[-3000:])


def assign(stack, tid, agency):
    """Routing is another issue: dispose the report to an agency directly in the table."""
    stack.dynamodb().update_item(
        TableName="satupintu-dev-reports",
        Key={"tracking_id": {"S": tid}},
        UpdateExpression="SET agency_id = :a, agency_name = :a, #s = :s ADD version :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":a": {"S": agency},
            ":s": {"S": "awaiting_followup"},
            ":one": {"N": "1"},
        },
    )


def versions(stack, prefix):
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=stack.emulator,
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "attachments" in b["Name"])
    page = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return page.get("Versions", []) + page.get("DeleteMarkers", [])


def gone(stack, prefix, timeout=10) -> bool:
    """The handler records its decision first and deletes the upload second, so the
    deletion may land a moment after the status is visible."""
    deadline = time.monotonic() + timeout
    while versions(stack, prefix):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_attach_a_png_and_a_pdf_list_and_download(stack, http):
    tid, mine = submit(stack, http)
    photo, letter = samples.png(), samples.pdf()
    png_id = attach(stack, http, tid, mine, "Foto TPS.png", "image/png", photo)
    pdf_id = attach(stack, http, tid, mine, "Surat RT.pdf", "application/pdf", letter)

    png = wait_for(stack, http, tid, mine, png_id)
    pdf = wait_for(stack, http, tid, mine, pdf_id)
    assert png["status"] == pdf["status"] == "accepted"
    assert (png["filename"], png["size"]) == ("Foto TPS.png", len(photo))
    assert pdf["content_type"] == "application/pdf"

    view = http.get(f"{stack.url}/v1/reports/{tid}", headers=mine).json()
    assert {a["id"] for a in view["attachments"]} == {png_id, pdf_id}
    assert [e["action"] for e in view["timeline"]].count("attachment_added") == 2

    for aid, data, media_type in (
        (png_id, photo, "image/png"),
        (pdf_id, letter, "application/pdf"),
    ):
        href = f"{stack.url}/v1/reports/{tid}/attachments/{aid}"
        redirect = http.get(href, headers=mine, allow_redirects=False)
        assert redirect.status_code == 302
        assert "X-Amz-Signature" in redirect.headers["Location"]
        assert "X-Amz-Expires=300" in redirect.headers["Location"]
        got = http.get(href, headers=mine)  # requests follows the redirect
        assert got.status_code == 200 and got.content == data
        assert got.headers["Content-Type"] == media_type

    # A normal report's files are public, like its content.
    public = http.get(f"{stack.url}/v1/reports/{tid}/attachments").json()
    assert {i["id"] for i in public["items"]} == {png_id, pdf_id}
    assert gone(stack, f"incoming/{tid}/")


def test_html_posing_as_png_is_rejected_and_removed(stack, http):
    tid, mine = submit(stack, http)
    aid = attach(stack, http, tid, mine, "foto.png", "image/png", samples.HTML)
    item = wait_for(stack, http, tid, mine, aid)
    assert item["status"] == "rejected" and item["reason"] == "type_mismatch"
    assert "image/png" in item["reason_detail"]
    assert "download" not in item["links"]
    assert gone(stack, f"incoming/{tid}/")
    assert gone(stack, f"attachments/{tid}/")
    assert (
        http.get(f"{stack.url}/v1/reports/{tid}/attachments/{aid}", headers=mine).status_code == 404
    )
    public = http.get(f"{stack.url}/v1/reports/{tid}/attachments").json()
    assert public["items"] == []


def test_an_upload_larger_than_declared_and_allowed_is_rejected_and_removed(stack, http):
    tid, mine = submit(stack, http)
    r = http.post(
        f"{stack.url}/v1/reports/{tid}/attachments",
        headers={**JSON, **mine},
        data=json.dumps({"filename": "kecil.png", "content_type": "image/png", "size": 2048}),
    )
    form = r.json()["upload"]
    big = samples.png() + b"\x00" * (form["max_bytes"] + 1)  # the client ignores the policy
    http.post(form["url"], data=form["fields"], files={"file": ("kecil.png", big)})
    item = wait_for(stack, http, tid, mine, r.json()["attachment"]["id"])
    assert item["status"] == "rejected" and item["reason"] == "too_large"
    assert gone(stack, f"incoming/{tid}/")


def test_anonymous_report_photo_reaches_officers_without_its_gps(stack, http):
    tid, mine = submit(
        stack,
        http,
        anonymous=True,
        confidential=False,
        reporter=None,
        title="Pungutan liar di kelurahan",
    )
    photo = samples.jpeg_with_gps()
    aid = attach(stack, http, tid, mine, "IMG_2026 Siti.jpg", "image/jpeg", photo)
    assert wait_for(stack, http, tid, mine, aid)["status"] == "accepted"
    assign(stack, tid, "pemkot-bandung")

    href = f"{stack.url}/v1/reports/{tid}/attachments/{aid}"
    officer = {"Authorization": f"Bearer {stack.token('officer.pemkot-bandung')}"}
    other = {"Authorization": f"Bearer {stack.token('officer.kemenkes')}"}
    admin = {"Authorization": f"Bearer {stack.token('admin')}"}

    assert samples.gps_of(http.get(href, headers=mine).content)  # the reporter's original
    shared = http.get(href, headers=officer)
    assert shared.status_code == 200
    assert samples.gps_of(shared.content) == {}
    assert samples.pixels(shared.content) == samples.pixels(photo)
    assert "Siti" not in shared.headers.get("Content-Disposition", "")
    listed = http.get(f"{stack.url}/v1/reports/{tid}/attachments", headers=officer).json()
    assert listed["items"][0]["filename"] == f"lampiran-{aid}.jpg"
    assert set(listed["items"][0]["metadata_removed"]) == {"exif", "comment"}

    assert samples.gps_of(http.get(href, headers=admin).content) == {}
    assert http.get(href, headers=other, allow_redirects=False).status_code == 403
    assert http.get(href, allow_redirects=False).status_code == 401
    wrong = {"X-Report-Token": "x" * 43}
    assert http.get(href, headers=wrong, allow_redirects=False).status_code == 404
