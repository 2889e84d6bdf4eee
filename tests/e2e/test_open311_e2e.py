"""An Open311 (GeoReport v2) conversation with the local stack over HTTP, as an existing
Open311 app holds it: services -> POST a request (form-encoded, the seeded api_key) -> GET
it by id -> the agency responds through the workflow API -> closed once completed."""

import time
import uuid
from xml.etree import ElementTree as ET

import pytest

from devstack.seed import DEMO_OPEN311_KEY

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}
V2 = "/open311/v2"


def _wait_for(fetch, predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _xml(response) -> ET.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def test_an_open311_app_files_follows_and_sees_its_request_closed(stack, http):
    api = stack.url + V2
    services = http.get(f"{api}/services.json")
    assert services.status_code == 200
    assert services.headers["Content-Type"] == "application/json; charset=utf-8"
    codes = {s["service_code"]: s for s in services.json()}
    assert codes["energi-listrik"]["metadata"] is False
    assert codes["energi-listrik"]["type"] == "realtime"
    root = _xml(http.get(f"{api}/services.xml", params={"jurisdiction_id": "satupintu.id"}))
    assert root.tag == "services" and {s.find("service_code").text for s in root} == set(codes)
    definition = http.get(f"{api}/services/energi-listrik.xml")
    assert [c.tag for c in _xml(definition)] == ["service_code", "attributes"]

    form = {
        "api_key": DEMO_OPEN311_KEY,
        "jurisdiction_id": "satupintu.id",
        "service_code": "energi-listrik",
        "lat": "-6.2088",
        "long": "106.8456",
        "description": "Listrik padam di Jalan Kebon Sirih sejak pagi. Sudah lapor ke call "
        "center tetapi belum ada petugas yang datang.",
        "first_name": "Rina",
        "last_name": "Wulandari",
        "email": "rina.w@example.id",
        "device_id": "android-1234",
    }
    retry = {"Idempotency-Key": str(uuid.uuid4())}
    posted = http.post(f"{api}/requests.json", data=form, headers=retry)  # form-encoded
    assert posted.status_code == 200, posted.text
    [created] = posted.json()
    rid = created["service_request_id"]
    assert created["service_notice"]
    again = http.post(f"{api}/requests.json", data=form, headers=retry)
    assert again.json()[0]["service_request_id"] == rid  # a retried POST files once

    # The router gives a national category to its lead agency: PLN.
    def by_id():
        r = http.get(f"{api}/requests/{rid}.json")
        assert r.status_code == 200, r.text
        return r.json()[0]

    item = _wait_for(by_id, lambda i: i["agency_responsible"] is not None)
    assert item["agency_responsible"] == "PT PLN (Persero)"
    assert item["status"] == "open"
    assert item["service_code"] == "energi-listrik" and item["service_name"]
    assert item["expected_datetime"] is not None  # the first-response deadline
    assert "Rina" not in str(item) and "rina.w@example.id" not in str(item)

    officer = {"Authorization": f"Bearer {stack.token('officer.pln')}", **JSON}
    r = http.post(
        f"{stack.url}/v1/staff/reports/{rid}/responses",
        json={"message": "Petugas kami menuju lokasi."},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    item = by_id()
    assert item["status"] == "open"
    assert item["status_notes"] == "Petugas kami menuju lokasi."
    listed = http.get(f"{api}/requests.json", params={"service_code": "energi-listrik"})
    assert rid in [i["service_request_id"] for i in listed.json()]

    admin = {"Authorization": f"Bearer {stack.token('admin')}", **JSON}
    r = http.post(
        f"{stack.url}/v1/admin/reports/{rid}/close", json={"note": "Selesai."}, headers=admin
    )
    assert r.status_code == 200, r.text
    root = _xml(http.get(f"{api}/requests/{rid}.xml"))
    [request] = root
    assert request.find("service_request_id").text == rid
    assert request.find("status").text == "closed"
    assert request.find("expected_datetime").text is None
    closed = http.get(f"{api}/requests.xml", params={"status": "closed"})
    assert rid in [r.find("service_request_id").text for r in _xml(closed)]
    token = http.get(f"{api}/tokens/{rid}.json").json()
    assert token == [{"service_request_id": rid, "token": rid}]


def test_a_forged_key_or_a_garbage_body_files_nothing(stack, http):
    api = stack.url + V2

    def stored() -> int:
        table = "satupintu-dev-reports"
        return stack.dynamodb().scan(TableName=table, Select="COUNT")["Count"]

    before = stored()
    r = http.post(
        f"{api}/requests.xml",
        data={"api_key": "o311_forged", "service_code": "energi-listrik", "lat": "1", "long": "1"},
    )
    assert r.status_code == 403
    error = _xml(r)
    assert error.tag == "errors" and error.find("error/code").text == "403"
    r = http.post(
        f"{api}/requests.json",
        data=b"api_key=" + DEMO_OPEN311_KEY.encode() + b"&description=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    r = http.post(f"{api}/requests.json", data="x=" + "y" * 70_000)
    assert r.status_code == 413 and r.json()[0]["code"] == 413
    assert stored() == before
