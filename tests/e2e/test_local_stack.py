"""The local stack as a person uses it: submit, track, sign in; bad input gets a 4xx."""

import csv
import json
import time

import pytest

from tests.e2e.conftest import ROOT, report_body

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}


def test_health_and_seeded_directory(stack, http):
    assert http.get(f"{stack.url}/healthz").json()["status"] == "ok"
    categories = http.get(f"{stack.url}/v1/categories").json()["items"]
    assert len(categories) == len(json.loads((ROOT / "data/categories.json").read_text()))
    with open(ROOT / "data/agencies.csv", encoding="utf-8") as f:
        expected = {row["agency_id"] for row in csv.DictReader(f)}
    seen, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = http.get(f"{stack.url}/v1/agencies", params=params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(expected)


def test_submit_track_and_the_router_receives_it(stack, http):
    r = http.post(f"{stack.url}/v1/reports", data=report_body(), headers=JSON)
    assert r.status_code == 201, r.text
    created = r.json()
    tid = created["tracking_id"]
    assert r.headers["Location"] == f"/v1/reports/{tid}"
    assert created["status_label"] == "Belum Terverifikasi"

    public = http.get(f"{stack.url}/v1/reports/{tid}")
    assert public.status_code == 200
    # The event pump runs concurrently: by now the router may already have routed the
    # report to its agency.
    assert public.json()["status_label"] in {"Belum Terverifikasi", "Belum Ditindaklanjuti"}
    assert "Asep" not in public.text and "6281222334455" not in public.text

    full = http.get(
        f"{stack.url}/v1/reports/{tid}", headers={"X-Report-Token": created["access_token"]}
    ).json()
    assert full["reporter"]["phone"] == "+6281222334455"
    assert full["timeline"][0]["action"] == "submitted"

    wrong = http.get(f"{stack.url}/v1/reports/{tid}", headers={"X-Report-Token": "x" * 43})
    assert wrong.status_code == 404

    # The event pump delivers report.submitted to the app's SQS handler, which takes
    # the report out of the outbox.
    ddb = stack.dynamodb()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        item = ddb.get_item(TableName="satupintu-dev-reports", Key={"tracking_id": {"S": tid}})[
            "Item"
        ]
        if "outbox" not in item:
            break
        time.sleep(0.2)
    assert "outbox" not in item, "report.submitted never reached the router"


def test_idempotent_submission_over_http(stack, http):
    headers = {**JSON, "Idempotency-Key": "e2e-9f1b7c2a-4d3e"}
    first = http.post(f"{stack.url}/v1/reports", data=report_body(), headers=headers)
    again = http.post(f"{stack.url}/v1/reports", data=report_body(), headers=headers)
    assert first.json()["tracking_id"] == again.json()["tracking_id"]
    assert first.json()["access_token"] == again.json()["access_token"]
    other = http.post(
        f"{stack.url}/v1/reports", data=report_body(title="Lain cerita ya"), headers=headers
    )
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("data", "headers", "status"),
    [
        (b'{"kind": ', JSON, 400),
        (b'{"title": "\xc3\x28"}', JSON, 400),
        (report_body().encode(), {"Content-Type": "text/plain"}, 415),
        (report_body(description="x" * 70000).encode(), JSON, 413),
        (report_body(kind="praise").encode(), JSON, 422),
        (b"[1, 2, 3]", JSON, 422),
        (b"", JSON, 400),
    ],
)
def test_bad_input_is_a_problem_not_a_500(stack, http, data, headers, status):
    r = http.post(f"{stack.url}/v1/reports", data=data, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == status


def test_demo_officer_signs_in(stack, http):
    token = stack.token("officer.pemkot-bandung")
    me = http.get(f"{stack.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["officer"]
    assert me.json()["agency_id"] == "pemkot-bandung"
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    assert (
        http.get(f"{stack.url}/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    assert http.get(f"{stack.url}/v1/me").status_code == 401


def test_admin_token(stack, http):
    token = stack.token("admin")
    me = http.get(f"{stack.url}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["roles"] == ["platform_admin"] and me["agency_id"] is None


def test_openapi_is_served(stack, http):
    doc = http.get(f"{stack.url}/openapi.json").json()
    assert "/v1/reports/{tracking_id}" in doc["paths"]


def test_the_pump_runs_scheduled_handlers(stack):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "schedule sweep_outbox" in stack.log.read_text():
            return
        time.sleep(0.5)
    raise AssertionError("the sweeper schedule never ran:\n" + stack.log.read_text()[-2000:])
