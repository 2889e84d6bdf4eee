"""GET /v1/public/reports over HTTP (chalice test client, in-memory fakes): what is listed,
in which order, the filters, the cursor, and that nothing in it identifies a reporter."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator

from app import app
from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef, Location
from tests.builders import REPORTER, submitted_report
from tests.unit.api_helpers import problem

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin.rina")
OFFICER = Actor("officer", "officer.budi.santoso")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
KEMENKES = AgencyRef("kemenkes", "Kementerian Kesehatan")
IDENTITY = (REPORTER.name, REPORTER.phone, REPORTER.email, "6281234567890", "Siti")


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


@pytest.fixture
def world(reports):
    """Reports in every state the feed must tell apart, ``minutes`` apart."""

    def store(minutes, agency=BANDUNG, *, respond=False, **fields):
        at = T0 + timedelta(minutes=minutes)
        fields.setdefault("location", Location(-6.917512, 107.619123))
        report = submitted_report(at, tracking_id.generate(), **fields)
        reports.add_new(report, None)
        if agency is not None:
            report.dispose(agency, actor=ADMIN, at=at, rule="admin", reason="ok", sla=SLA)
            if respond:
                report.respond("Tim kami meninjau lokasi besok.", actor=OFFICER, at=at)
            reports.save_changes(report)
        return report.tracking_id

    return {
        "plain": store(1, region="32.73.01.1001"),
        "answered": store(2, respond=True),
        "anonymous": store(3, anonymous=True, region="32.73.01"),
        "health": store(4, KEMENKES, category="kesehatan", region="31.71"),
        "confidential": store(5, confidential=True),
        "anonymous_confidential": store(6, anonymous=True, confidential=True),
        "unverified": store(7, None),
    }


def get(client, **query):
    return client.http.get("/v1/public/reports" + ("?" + urlencode(query) if query else ""))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [e["tracking_id"] for e in json.loads(response.body)["items"]]


def test_the_feed_is_newest_first_and_lists_only_what_may_be_public(client, world):
    r = get(client)

    assert ids(r) == [world[k] for k in ("health", "anonymous", "answered", "plain")]
    assert r.headers["Cache-Control"] == "public, max-age=30"
    assert r.headers["Content-Type"] == "application/json"
    body = json.loads(r.body)
    assert body["next_cursor"] is None
    entry = {e["tracking_id"]: e for e in body["items"]}
    plain = entry[world["plain"]]
    assert plain["links"] == {"self": {"href": f"/v1/reports/{world['plain']}"}}
    assert plain["region"] == "32.73"  # filed for a village: cut to the regency
    assert plain["status"] == "awaiting_followup" and plain["status_label"]
    assert plain["category"] == {"code": "infrastruktur", "name": "Infrastruktur"}
    assert plain["agency"] == {"id": "pemkot-bandung", "name": "Pemerintah Kota Bandung"}
    assert plain["title"] and plain["description"] and plain["anonymous"] is False
    assert entry[world["anonymous"]]["region"] is None
    assert entry[world["anonymous"]]["anonymous"] is True
    answered = entry[world["answered"]]
    assert answered["responses"] == [
        {
            "agency": {"id": "pemkot-bandung", "name": "Pemerintah Kota Bandung"},
            "at": "2026-03-17T03:02:00Z",
            "message": "Tim kami meninjau lokasi besok.",
            "final": False,
        }
    ]
    assert answered["response_count"] == 1


def test_nothing_in_the_feed_identifies_a_reporter_or_names_an_officer(client, world):
    text = get(client, limit=50).body.decode()
    for secret in (*IDENTITY, "officer.budi", "admin.rina", "-6.9175", "107.619", "32.73.01"):
        assert secret not in text, secret
    for key in ('"reporter"', '"location"', '"lat"', '"phone"', '"email"', '"channel"'):
        assert key not in text


def test_pages_follow_the_cursor_to_the_end(client, world):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        r = get(client, **query)
        seen += ids(r)
        pages += 1
        cursor = json.loads(r.body)["next_cursor"]
        if cursor is None:
            break
    assert seen == ids(get(client)) and pages == 4


def test_filters(client, world):
    assert ids(get(client, status="in_progress")) == [world["answered"]]
    assert ids(get(client, status="awaiting_followup,completed")) == [
        world["health"],
        world["anonymous"],
        world["plain"],
    ]
    assert ids(get(client, agency_id="kemenkes")) == [world["health"]]
    assert ids(get(client, category="kesehatan")) == [world["health"]]
    assert ids(get(client, region="31")) == [world["health"]]
    assert ids(get(client, region="3171")) == [world["health"]]
    assert ids(get(client, region="32.73")) == [world["answered"], world["plain"]]
    assert ids(get(client, region="32", status="in_progress")) == [world["answered"]]
    assert ids(get(client, agency_id="pln")) == []


def test_an_anonymous_report_is_found_by_agency_and_category_never_by_region(client, world):
    assert world["anonymous"] in ids(get(client, agency_id="pemkot-bandung"))
    assert world["anonymous"] in ids(get(client, category="infrastruktur"))
    assert world["anonymous"] not in ids(get(client, region="32"))
    assert world["anonymous"] not in ids(get(client, region="32.73"))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "unverified"}, "status"),
        ({"status": "archived,completed"}, "status"),
        ({"status": "In Progress"}, "status"),
        ({"region": "32.73.01"}, "region"),
        ({"region": "99"}, "region"),
        ({"region": "Bandung"}, "region"),
        ({"agency_id": "dinas-tidak-ada"}, "agency_id"),
        ({"category": "tidak-ada"}, "category"),
        ({"agency_id": "pemkot-bandung", "category": "infrastruktur"}, "category"),
        ({"category": "infrastruktur", "region": "32.73"}, "region"),
        ({"limit": "0"}, "limit"),
        ({"limit": "51"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"sort": "oldest"}, "sort"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, world, query, field):
    r = get(client, **query)
    assert r.status_code == 422, r.body
    body = problem(r)
    assert [e["field"] for e in body["errors"]] == [field]


def first_cursor(client, **query):
    cursor = json.loads(get(client, limit=1, **query).body)["next_cursor"]
    assert cursor
    return cursor


def test_a_forged_or_tampered_cursor_is_400(client, world):
    import base64

    cursor = first_cursor(client)
    head, tag = cursor.split(".")
    key = base64.urlsafe_b64decode(head + "==").decode()
    forged_key = key[:-10] + world["unverified"]
    forged = base64.urlsafe_b64encode(forged_key.encode()).decode().rstrip("=") + "." + tag
    for bad in (
        forged,
        head,  # the position without its MAC
        head + "." + tag[:-2] + ("AA" if not tag.endswith("AA") else "BB"),
        base64.urlsafe_b64encode(b"2026-03-17T03:00:00.000000Z#23456789AB").decode(),
        "not a cursor",
        "%%%.%%%",
    ):
        r = get(client, cursor=bad)
        assert r.status_code == 400, (bad, r.body)
        assert problem(r)["type"].endswith("invalid-cursor")
    assert get(client, cursor=cursor).status_code == 200
    assert ids(get(client, cursor="")) == ids(get(client))  # empty: from the start


def test_a_cursor_works_only_with_the_filters_it_was_issued_for(client, world):
    cursor = first_cursor(client, region="32.73")
    assert ids(get(client, region="32.73", cursor=cursor)) == [world["plain"]]
    assert get(client, region="3273", cursor=cursor).status_code == 200  # the same region
    for other in ({}, {"region": "32"}, {"status": "in_progress", "region": "32.73"}):
        assert get(client, cursor=cursor, **other).status_code == 400, other


def test_the_openapi_document_describes_the_feed_and_its_answers_match(client, world):
    doc = json.loads(client.http.get("/openapi.json").body)
    operation = doc["paths"]["/v1/public/reports"]["get"]
    assert "security" not in operation or operation["security"] == []
    assert {"200", "400", "422"} <= set(operation["responses"])
    names = {p["name"] for p in operation["parameters"]}
    assert {"status", "agency_id", "category", "region", "limit", "cursor"} <= names
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**doc, **schema})
    validator.validate(json.loads(get(client).body))
    validator.validate(json.loads(get(client, limit=1).body))
