"""Open311 GeoReport v2 over HTTP (chalice test client, in-memory fakes): every method in
JSON and XML, the specification's field and element names, its error document, api_keys,
rate limits, idempotency, and what the public may see of a request."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef, ArchiveReason, Channel, Location
from chalicelib.services import open311 as service
from tests.builders import REPORTER, submitted_report
from tests.fakes import FakeApiClients, FakeRateLimits

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin.rina")
OFFICER = Actor("officer", "officer.budi.santoso")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
# The fields of a service request, in the order of the specification's response table
# (https://wiki.open311.org/GeoReport_v2, GET Service Requests).
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
VALID = {
    "service_code": "infrastruktur",
    "lat": "-6.9175",
    "long": "107.6191",
    "description": "Lubang besar di Jalan Ahmad Yani depan Pasar Kosambi. Sudah tiga bulan "
    "tidak diperbaiki dan membahayakan pengendara motor.",
    "first_name": "Siti",
    "last_name": "Rahayu",
    "email": "Siti@Example.id",
    "phone": "0812-3456-7890",
}


@pytest.fixture
def clients(clock):
    clients = FakeApiClients()
    clients.key = service.issue_key(clients, "kota-app", clock.now())
    return clients


@pytest.fixture
def limits():
    return FakeRateLimits()


@pytest.fixture
def client(wired, clients, limits):
    bootstrap.override(api_clients=clients, rate_limits=limits)
    with Client(app) as c:
        yield c


def post(client, form=None, *, key=True, clients=None, headers=None, raw=None, fmt="json"):
    fields = dict(VALID if form is None else form)
    if key is True:
        fields["api_key"] = bootstrap.get("api_clients").key
    elif key:
        fields["api_key"] = key
    body = urlencode(fields)
    if raw is not None:  # the key as the last field, so only the raw part is wrong
        tail = "&" + urlencode({"api_key": fields["api_key"]}) if "api_key" in fields else ""
        body = raw + (tail.encode() if isinstance(raw, bytes) else tail)
    return client.http.post(
        f"/open311/v2/requests.{fmt}", headers={**FORM, **(headers or {})}, body=body
    )


def get(client, path, **query):
    return client.http.get(path + ("?" + urlencode(query) if query else ""))


def body(response):
    assert response.headers["Content-Type"] == "application/json; charset=utf-8", response.body
    return json.loads(response.body)


def xml(response) -> ET.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8", response.body
    text = response.body.decode() if isinstance(response.body, bytes) else response.body
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.encode())  # raises on anything not well-formed


def errors(response, status):
    assert response.status_code == status, response.body
    if response.headers["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        items = [{c.tag: c.text for c in e} for e in root]
        assert all(e.keys() == {"code", "description"} and e["code"] == str(status) for e in items)
        return [e["description"] for e in items]
    items = body(response)
    assert isinstance(items, list) and items
    assert all(e.keys() == {"code", "description"} and e["code"] == status for e in items)
    return [e["description"] for e in items]


# ---------------------------------------------------------------- services


def test_services_list_our_categories_in_json_and_xml(client, directory):
    r = get(client, "/open311/v2/services.json")
    assert r.status_code == 200
    items = body(r)
    assert [i["service_code"] for i in items] == [c.code for c in directory.categories()]
    first = items[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["metadata"] is False and first["type"] == "realtime"

    root = xml(get(client, "/open311/v2/services.xml"))
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service"] * len(items)
    assert root[0].find("metadata").text == "false"
    assert root[0].find("service_code").text == items[0]["service_code"]


def test_a_service_definition_has_no_attributes(client):
    assert body(get(client, "/open311/v2/services/infrastruktur.json")) == {
        "service_code": "infrastruktur",
        "attributes": [],
    }
    root = xml(get(client, "/open311/v2/services/infrastruktur.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]


def test_unknown_service_format_and_jurisdiction_are_404_in_the_format_asked(client):
    assert "not found" in errors(get(client, "/open311/v2/services/nope.json"), 404)[0]
    assert errors(get(client, "/open311/v2/services/nope.xml"), 404)
    errors(get(client, "/open311/v2/services.csv"), 404)  # no such format: XML errors
    errors(get(client, "/open311/v2/nothing.json"), 404)
    r = get(client, "/open311/v2/services.json", jurisdiction_id="elsewhere.gov")
    assert "jurisdiction_id" in errors(r, 404)[0]
    assert (
        get(client, "/open311/v2/services.json", jurisdiction_id="satupintu.id").status_code == 200
    )


def test_other_methods_are_405_in_the_format_and_options_answer_allow(client):
    r = client.http.put("/open311/v2/services.json", headers=FORM, body="")
    errors(r, 405)
    r = client.http.post("/open311/v2/services.xml", headers=FORM, body="")
    errors(r, 405)
    assert r.headers["Allow"] == "GET, OPTIONS"
    r = client.http.delete("/open311/v2/requests/K7M3QX9P2A.json")
    errors(r, 405)
    r = client.http.request("OPTIONS", "/open311/v2/requests.json", headers={}, body=b"")
    assert r.status_code == 204 and r.headers["Allow"] == "GET, POST, OPTIONS"
    r = client.http.request("OPTIONS", "/open311/v2/services.json", headers={}, body=b"")
    assert r.status_code == 204 and r.headers["Allow"] == "GET, OPTIONS"


def test_open311_is_documented_by_its_specification_not_in_openapi(client):
    doc = json.loads(client.http.get("/openapi.json").body)
    routes = [p for p in app.routes if p.startswith("/open311/")]
    assert len(routes) == 5
    for path in routes:
        for entry in app.routes[path].values():
            assert "GeoReport_v2" in entry.view_function.outside_openapi
        assert path not in doc["paths"]
    assert "/open311/v2" in doc["info"]["description"]


def test_discovery_names_the_endpoint_and_both_formats(client):
    doc = body(get(client, "/open311/discovery.json"))
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(get(client, "/open311/discovery.xml"))
    formats = root.find("endpoints/endpoint/formats")
    assert [f.text for f in formats.findall("format")] == ["text/xml", "application/json"]


# ---------------------------------------------------------------- POST requests


def test_a_post_files_a_report_through_the_submission_service(client, reports, publisher):
    r = post(client, {**VALID, "account_id": "u-42", "device_id": "dev-1"})

    assert r.status_code == 200, r.body
    [item] = body(r)
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    assert item["account_id"] == "u-42"
    assert "3 hari kerja" in item["service_notice"]
    stored = reports.get(item["service_request_id"])
    assert stored.channel is Channel.OPEN311
    assert stored.category == "infrastruktur"
    assert stored.title == "Lubang besar di Jalan Ahmad Yani depan Pasar Kosambi"
    assert stored.description == VALID["description"]
    assert stored.location == Location(-6.9175, 107.6191)
    assert stored.anonymous is False and stored.confidential is False
    assert stored.reporter.name == "Siti Rahayu"
    assert stored.reporter.phone == "+6281234567890"  # E.164, as the HTTP API keeps it
    assert stored.reporter.email == "siti@example.id"
    assert stored.reporter.account == "kota-app:u-42"  # that application's account
    assert "dev-1" not in repr(stored)  # device_id is not kept
    assert publisher.published == [item["service_request_id"]]


def test_the_xml_answer_uses_the_specification_elements(client):
    root = xml(post(client, fmt="xml"))
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert tracking_id.is_valid(request.find("service_request_id").text)


def test_without_contact_the_report_is_anonymous(client, reports):
    form = {
        k: v for k, v in VALID.items() if k not in ("first_name", "last_name", "email", "phone")
    }
    [item] = body(post(client, form))
    stored = reports.get(item["service_request_id"])
    assert stored.anonymous is True and stored.reporter is None


def test_an_email_without_a_name_is_a_reporter_a_name_alone_is_not(client, reports):
    form = {k: v for k, v in VALID.items() if k not in ("first_name", "last_name", "phone")}
    [item] = body(post(client, form))
    stored = reports.get(item["service_request_id"])
    assert stored.anonymous is False
    assert stored.reporter.email == "siti@example.id" and stored.reporter.name is None
    form = {k: v for k, v in VALID.items() if k not in ("email", "phone")}
    [item] = body(post(client, {**form, "account_id": "u-7"}))
    stored = reports.get(item["service_request_id"])
    assert stored.anonymous is True  # nobody can reach them: their name stays hidden
    assert stored.reporter.name == "Siti Rahayu" and stored.reporter.account == "kota-app:u-7"


def test_the_intake_rules_apply_in_open311_words(client, reports):
    r = post(client, {**VALID, "description": "Lampu mati."})
    [says] = errors(r, 400)
    assert says.startswith("description: ")  # too short, whether as title or text
    assert reports.reports == {}


def test_address_string_address_id_and_media_url_travel_in_the_description(client, reports):
    form = {k: v for k, v in VALID.items() if k not in ("lat", "long")}
    form.update(
        address_string="Jl. Ahmad Yani 1, Kota Bandung",
        address_id="BDG-0001",
        media_url="https://example.org/p/1.jpg",
    )
    [item] = body(post(client, form))
    stored = reports.get(item["service_request_id"])
    assert stored.location is None
    assert stored.description.endswith(
        "\n\nLokasi: Jl. Ahmad Yani 1, Kota Bandung\naddress_id: BDG-0001"
        "\nMedia: https://example.org/p/1.jpg"
    )


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "bukan-kategori"}, 404, "service_code"),
        ({"description": None}, 400, "description"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"long": None}, 400, "lat and long"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": "nan"}, 400, "long"),
        ({"lat": "utara"}, 400, "lat"),
        ({"email": "bukan-email"}, 400, "email"),
        ({"phone": "12"}, 400, "phone"),
        ({"first_name": "S", "last_name": None}, 400, "first_name"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"address_string": "Jl.\x00Yani"}, 400, "address_string"),
        ({"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_stored(client, reports, change, status, says):
    form = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    descriptions = errors(post(client, form), status)
    assert says in descriptions[0]
    assert reports.reports == {}


def test_missing_unknown_and_revoked_api_keys_are_403(client, reports, clients, clock):
    assert "api_key" in errors(post(client, key=None), 403)[0]
    errors(post(client, key="o311_forged"), 403)
    errors(post(client, fmt="xml", key="x" * 500), 403)
    assert service.revoke_keys(clients, "kota-app", clock.now()) == 1
    errors(post(client), 403)
    assert reports.reports == {}


def test_a_jurisdiction_in_the_query_string_of_a_post_is_checked_too(client, reports):
    key = bootstrap.get("api_clients").key
    r = client.http.post(
        "/open311/v2/requests.json?jurisdiction_id=elsewhere.gov",
        headers=FORM,
        body=urlencode({**VALID, "api_key": key}),
    )
    assert "jurisdiction_id" in errors(r, 404)[0]
    assert reports.reports == {}


def test_every_argument_may_come_in_the_query_string_of_the_post(client, reports):
    key = bootstrap.get("api_clients").key
    query = urlencode({**VALID, "api_key": key})
    r = client.http.post(f"/open311/v2/requests.json?{query}", headers={}, body=b"")
    assert r.status_code == 200, r.body
    # one field, two values (URL and body): refused
    r = client.http.post(
        "/open311/v2/requests.json?service_code=kesehatan",
        headers=FORM,
        body=urlencode({**VALID, "api_key": key}),
    )
    assert "service_code" in errors(r, 400)[0]
    assert len(reports.reports) == 1


def test_the_api_key_may_come_in_the_query_string(client):
    key = bootstrap.get("api_clients").key
    r = client.http.post(
        "/open311/v2/requests.json?" + urlencode({"api_key": key}),
        headers=FORM,
        body=urlencode(VALID),
    )
    assert r.status_code == 200, r.body


@pytest.mark.parametrize(
    ("headers", "raw", "status"),
    [
        ({"Content-Type": "application/json"}, json.dumps(VALID), 400),
        ({}, b"description=\xff\xfe", 400),  # not UTF-8
        ({}, "&".join(f"attribute[a{i}]=1" for i in range(200)), 400),  # too many fields
        ({}, "service_code=infrastruktur&service_code=kesehatan", 400),  # which one?
        ({}, "description=" + "x" * (70 * 1024), 413),
    ],
)
def test_garbage_and_oversized_bodies_are_4xx_and_store_nothing(
    client, reports, headers, raw, status
):
    r = post(client, raw=raw, headers=headers)
    errors(r, status)
    assert reports.reports == {}


def test_a_retry_with_the_same_idempotency_key_files_once(client, reports, clients, clock):
    key = {"Idempotency-Key": "4b1c4f0e-7d4f-4a57-9f55-0c1f1d9f2a10"}
    first, again = post(client, headers=key), post(client, headers=key)
    assert first.status_code == again.status_code == 200
    assert body(first) == body(again)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(reports.reports) == 1
    # a different request under the same key is refused; nothing more stored
    changed = post(client, {**VALID, "description": VALID["description"] + " Tolong."}, headers=key)
    assert "Idempotency-Key" in errors(changed, 400)[0]
    # another application's key space is its own
    other = service.issue_key(clients, "provinsi-app", clock.now())
    assert post(client, key=other, headers=key).status_code == 200
    assert len(reports.reports) == 2
    errors(post(client, headers={"Idempotency-Key": "short"}), 400)


def numbered(n: int) -> dict:
    """VALID, made a different request (identical ones are taken for retries)."""
    return {**VALID, "description": f"{VALID['description']} Laporan ke-{n}."}


def test_an_identical_post_soon_after_is_a_retry_even_without_a_key(client, reports, clock):
    first, again = post(client), post(client)
    assert body(first) == body(again)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(reports.reports) == 1
    assert body(post(client, numbered(1))) != body(first)  # another request
    clock.advance(minutes=10)  # the next window: the same text again is a new report
    assert body(post(client)) != body(first)
    assert len(reports.reports) == 3


def test_posts_are_limited_per_ip(client, reports):
    for n in range(service.LIMITS.post_per_ip.calls):
        assert post(client, numbered(n)).status_code == 200
    r = post(client, numbered(99), fmt="xml")
    assert "too many requests" in errors(r, 429)[0].lower()
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert len(reports.reports) == service.LIMITS.post_per_ip.calls


def test_a_flooding_application_is_stopped_and_the_others_are_not(
    client, reports, clients, clock, monkeypatch
):
    limit = service.Limit(3, timedelta(minutes=1))
    monkeypatch.setattr(service, "LIMITS", service.Limits(post_per_key=limit))
    for n in range(3):
        assert post(client, numbered(n)).status_code == 200
    assert "key" in errors(post(client, numbered(3)), 429)[0]
    other = service.issue_key(clients, "provinsi-app", clock.now())
    assert post(client, numbered(4), key=other).status_code == 200
    assert len(reports.reports) == 4
    clock.advance(minutes=1)
    assert post(client, numbered(5)).status_code == 200  # the next window


# ---------------------------------------------------------------- GET requests


T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(reports):
    def store(minutes, *, agency=BANDUNG, respond=None, **fields):
        at = T0 + timedelta(minutes=minutes)
        report = submitted_report(at, tracking_id.generate(), channel=Channel.OPEN311, **fields)
        reports.add_new(report, None)
        if agency is not None:
            report.dispose(agency, actor=ADMIN, at=at, rule="admin", reason="ok", sla=SLA)
            if respond:
                report.respond(respond, actor=OFFICER, at=at + timedelta(hours=1))
            reports.save_changes(report)
        return report.tracking_id

    ids = {
        "plain": store(1, location=Location(-6.917512, 107.619123)),
        "answered": store(2, respond="Tim kami meninjau lokasi besok."),
        "anonymous": store(3, anonymous=True, region="32.73.01.1001"),
        "health": store(4, category="kesehatan"),
        "confidential": store(5, confidential=True, respond="Rahasia: sudah diperiksa."),
        "unverified": store(6, agency=None),
    }
    closed = reports.get(store(7, respond="Sudah ditambal."))
    closed.close(actor=ADMIN, at=T0 + timedelta(days=1), note="selesai")
    reports.save_changes(closed)
    ids["closed"] = closed.tracking_id
    archived = reports.get(ids["unverified"])
    archived.archive(ArchiveReason.TOO_GENERAL, "Terlalu umum.", actor=ADMIN, at=T0)
    reports.save_changes(archived)
    ids["archived"] = ids.pop("unverified")
    ids["waiting"] = store(8, agency=None)
    return ids


def listed(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [i["service_request_id"] for i in body(response)]


def test_a_request_by_id_has_every_specification_field(client, world, clock):
    clock.at = T0 + timedelta(days=2)
    r = get(client, f"/open311/v2/requests/{world['answered']}.json")
    assert r.status_code == 200
    [item] = body(r)
    assert tuple(item) == REQUEST_FIELDS
    assert item["status"] == "open"
    assert item["status_notes"] == "Tim kami meninjau lokasi besok."
    assert item["service_code"] == "infrastruktur" and item["service_name"] == "Infrastruktur"
    assert item["agency_responsible"] == "Pemerintah Kota Bandung"
    assert item["requested_datetime"] == "2026-11-02T03:02:00Z"
    assert item["updated_datetime"] == "2026-11-02T04:02:00Z"
    assert item["expected_datetime"] is None  # answered: the first-response deadline is met
    assert item["lat"] is None and item["long"] is None  # the public never sees the pin
    [plain] = body(get(client, f"/open311/v2/requests/{world['plain']}.json"))
    due = SLA.first_response(T0 + timedelta(minutes=1)).due
    assert plain["expected_datetime"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert plain["status_notes"] is None

    root = xml(get(client, f"/open311/v2/requests/{world['answered']}.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root[0]] == list(REQUEST_FIELDS)
    assert root[0].find("status").text == "open"


def test_statuses_map_to_open_and_closed(client, world):
    def status(key):
        return body(get(client, f"/open311/v2/requests/{world[key]}.json"))[0]["status"]

    assert {k: status(k) for k in ("plain", "waiting", "closed", "archived")} == {
        "plain": "open",
        "waiting": "open",
        "closed": "closed",
        "archived": "closed",
    }


def test_a_confidential_request_shows_no_content_and_nobody_shows_identity(client, world):
    [item] = body(get(client, f"/open311/v2/requests/{world['confidential']}.json"))
    assert item["description"] is None and item["status_notes"] is None
    assert item["agency_responsible"] == "Pemerintah Kota Bandung"
    everything = get(
        client, "/open311/v2/requests.json", service_request_id=",".join(world.values())
    ).body
    text = everything.decode() if isinstance(everything, bytes) else everything
    for secret in (REPORTER.name, REPORTER.phone, REPORTER.email, "Rahasia", "32.73.01", "6.9175"):
        assert secret not in text


def test_unknown_and_malformed_ids_are_404(client, world):
    errors(get(client, f"/open311/v2/requests/{tracking_id.generate()}.json"), 404)
    errors(get(client, "/open311/v2/requests/not-an-id.xml"), 404)
    errors(get(client, "/open311/v2/tokens/not-an-id.json"), 404)


def test_a_token_lookup_answers_with_the_request_id(client, world):
    tid = world["plain"]
    assert body(get(client, f"/open311/v2/tokens/{tid.lower()}.json")) == [
        {"service_request_id": tid, "token": tid.lower()}
    ]
    root = xml(get(client, f"/open311/v2/tokens/{tid}.xml"))
    assert [c.tag for c in root[0]] == ["service_request_id", "token"]


def test_the_list_is_the_public_feed_newest_first(client, world, clock, reports):
    clock.at = T0 + timedelta(days=3)
    got = listed(get(client, "/open311/v2/requests.json"))
    # past verification and not confidential only (as GET /v1/public/reports)
    assert got == [world[k] for k in ("closed", "health", "anonymous", "answered", "plain")]
    assert reports.batch_reads == 1
    assert listed(get(client, "/open311/v2/requests.json", status="closed")) == [world["closed"]]
    assert listed(
        get(client, "/open311/v2/requests.json", status="open", service_code="kesehatan")
    ) == [world["health"]]
    assert (
        listed(
            get(
                client,
                "/open311/v2/requests.json",
                service_code="kesehatan,infrastruktur",
                status="open,closed",
            )
        )
        == got
    )
    root = xml(get(client, "/open311/v2/requests.xml"))
    assert [r.find("service_request_id").text for r in root] == got
    assert all([c.tag for c in r] == list(REQUEST_FIELDS) for r in root)


def test_the_list_covers_the_date_range(client, world, clock):
    clock.at = T0 + timedelta(days=200)
    assert listed(get(client, "/open311/v2/requests.json")) == []  # the last 90 days
    window = {"start_date": "2026-11-02T03:02:00Z", "end_date": "2026-11-02T10:04:00+07:00"}
    assert listed(get(client, "/open311/v2/requests.json", **window)) == [
        world["health"],
        world["anonymous"],
        world["answered"],
    ]
    assert listed(get(client, "/open311/v2/requests.json", start_date="2026-11-02")) != []


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"start_date": "kemarin"}, "start_date"),
        ({"end_date": "2026-11-02T10:00:00"}, "time zone"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "bukan"}, "service_request_id"),
        ({"jurisdiction_id": "elsewhere.gov"}, "jurisdiction_id"),
    ],
)
def test_bad_searches_are_refused(client, world, query, says):
    status = 404 if "jurisdiction_id" in query else 400
    assert says in errors(get(client, "/open311/v2/requests.json", **query), status)[0]
    assert says in errors(get(client, "/open311/v2/requests.xml", **query), status)[0]


def test_an_unknown_service_code_in_a_search_is_404(client, world):
    errors(get(client, "/open311/v2/requests.json", service_code="bukan-kategori"), 404)


def test_ids_override_the_other_arguments_and_show_unlisted_reports_publicly(client, world):
    ids = [world["waiting"], world["confidential"], tracking_id.generate()]
    got = body(
        get(client, "/open311/v2/requests.json", service_request_id=",".join(ids), status="closed")
    )
    assert [i["service_request_id"] for i in got] == ids[:2]  # the unknown one is left out
    assert got[1]["description"] is None


def test_searches_are_limited_per_ip(client, world):
    for _ in range(service.LIMITS.search_per_ip.calls):
        assert get(client, "/open311/v2/requests.json").status_code == 200
    errors(get(client, "/open311/v2/requests.json"), 429)
    errors(get(client, "/open311/v2/requests.xml", service_request_id=world["plain"]), 429)
    # looking one up by id is a GetItem, not a search: not limited
    assert get(client, f"/open311/v2/requests/{world['plain']}.json").status_code == 200


def test_text_xml_cannot_carry_is_dropped_so_the_document_stays_well_formed(client, reports):
    report = submitted_report(T0, tracking_id.generate(), description="Lampu\x01 mati <b>&amp;")
    reports.add_new(report, None)
    root = xml(get(client, f"/open311/v2/requests/{report.tracking_id}.xml"))
    assert root[0].find("description").text == "Lampu mati <b>&amp;"
    assert root[0].find("status").text == "open"
