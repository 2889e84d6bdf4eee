"""Bad input gets a clear 4xx problem+json and stores nothing; never a 500."""

import json

import pytest
from chalice.test import Client

from app import app
from tests.unit.api_helpers import VALID, post_report, problem


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def fields(response):
    return {e["field"] for e in problem(response)["errors"]}


def test_invalid_json(client, reports):
    r = post_report(client, raw='{"kind": "complaint",')
    assert r.status_code == 400
    assert problem(r)["type"].endswith("invalid-json")
    assert reports.reports == {}


def test_invalid_utf8(client, reports):
    r = post_report(client, raw=b'{"title": "\xff\xfe"}')
    assert r.status_code == 400
    assert problem(r)["type"].endswith("invalid-utf8")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type(client, content_type, reports):
    r = post_report(client, headers={"Content-Type": content_type})
    assert r.status_code == 415
    problem(r)
    assert reports.reports == {}


def test_json_with_charset_is_fine(client):
    r = post_report(client, headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201


def test_body_over_64_kib(client, reports):
    body = {**VALID, "description": "x" * (65 * 1024)}
    r = post_report(client, body)
    assert r.status_code == 413
    problem(r)
    assert reports.reports == {}


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "42"])
def test_body_must_be_an_object(client, raw):
    r = post_report(client, raw=raw)
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "praise"}, "kind"),
        ({"kind": 1}, "kind"),
        ({"title": "ab"}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"description": "terlalu pendek"}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"confidential": 1}, "confidential"),
        ({"category": "Not A Code!"}, "category"),
        ({"region": "99.99"}, "region"),
        ({"region": "32-73"}, "region"),
        ({"location": {"lat": 100, "lon": 0}}, "location.lat"),
        ({"location": {"lat": "x", "lon": 0}}, "location.lat"),
        ({"incident_date": "2999-01-01"}, "incident_date"),
        ({"incident_date": "yesterday"}, "incident_date"),
        ({"reporter": {"name": "Siti", "phone": "12"}}, "reporter.phone"),
        ({"reporter": {"name": "Siti", "email": "not-an-email"}}, "reporter.email"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_field_errors_are_listed(client, reports, change, field):
    r = post_report(client, {**VALID, **change})
    assert r.status_code == 422, r.body
    assert field in fields(r)
    assert reports.reports == {}


def test_identity_required_unless_anonymous(client):
    body = {k: v for k, v in VALID.items() if k != "reporter"}
    r = post_report(client, body)
    assert r.status_code == 422
    assert "reporter" in problem(r)["errors"][0]["message"]
    no_contact = {**VALID, "reporter": {"name": "Siti"}}
    assert post_report(client, no_contact).status_code == 422


def test_unknown_category(client, reports):
    r = post_report(client, {**VALID, "category": "astrologi"})
    assert r.status_code == 422
    assert fields(r) == {"category"}
    assert reports.reports == {}


def test_missing_fields_are_all_reported(client):
    r = post_report(client, {})
    assert r.status_code == 422
    assert {"kind", "title", "description"} <= fields(r)


def test_unknown_route_and_method_are_not_500(client):
    assert client.http.delete("/v1/reports").status_code in (403, 404, 405)


def test_agency_list_bad_query(client):
    for query in ("limit=0", "limit=1000", "limit=abc", "cursor=%%%"):
        r = client.http.get(f"/v1/agencies?{query}")
        assert r.status_code == 422, (query, r.body)
        problem(r)


def test_an_unexpected_error_is_a_problem_without_internals(client, reports, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(reports, "add_new", boom)
    r = post_report(client)
    assert r.status_code == 500
    assert "secret internals" not in r.body.decode()
    assert json.loads(r.body)["type"].endswith("internal-error")
