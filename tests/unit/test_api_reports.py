"""Citizen API through Chalice's test client, with the services wired to fakes."""

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib.services import access_tokens
from tests.unit.api_helpers import VALID, post_report, problem


@pytest.fixture
def client(wired):
    with Client(app) as c:
        yield c


def test_submit_returns_tracking_id_token_and_location(client, reports, publisher):
    r = post_report(client)
    assert r.status_code == 201
    body = json.loads(r.body)
    tid = body["tracking_id"]
    assert r.headers["Location"] == f"/v1/reports/{tid}"
    assert r.headers["Cache-Control"] == "no-store"
    assert body["status"] == "unverified"
    assert body["status_label"] == "Belum Terverifikasi"
    stored = reports.reports[tid]
    assert stored.reporter.phone == "+6281234567890"  # normalised to E.164
    assert stored.reporter.email == "siti@example.id"
    assert stored.region == "32.73"
    assert stored.access_token_hash == access_tokens.digest(body["access_token"])
    assert body["access_token"] not in repr(stored)
    assert publisher.published == [tid]


def test_public_view_never_shows_the_reporter(client):
    tid = json.loads(post_report(client).body)["tracking_id"]
    r = client.http.get(f"/v1/reports/{tid}")
    assert r.status_code == 200
    body = json.loads(r.body)
    assert body["description"] == VALID["description"]
    assert body["category"] == {"code": "infrastruktur", "name": "Infrastruktur"}
    assert "reporter" not in body
    # the public timeline: what happened, never who reported it
    assert [e["action"] for e in body["timeline"]] == ["submitted"]
    assert "Siti" not in r.body.decode()
    for secret in ("Siti", "6281234567890", "example.id", "-6.9175"):
        assert secret not in r.body.decode()


def test_public_view_accepts_a_typed_id(client):
    tid = json.loads(post_report(client).body)["tracking_id"]
    typed = f"{tid[:4].lower()}-{tid[4:]}"
    assert client.http.get(f"/v1/reports/{typed}").status_code == 200


def test_confidential_report_hides_content_publicly(client):
    tid = json.loads(post_report(client, {**VALID, "confidential": True}).body)["tracking_id"]
    body = json.loads(client.http.get(f"/v1/reports/{tid}").body)
    assert body["confidential"] is True
    assert body["title"] is None and body["description"] is None
    assert "Pasar Kosambi" not in json.dumps(body)


def test_anonymous_report_needs_no_identity_and_shows_none(client, reports):
    body = {k: v for k, v in VALID.items() if k != "reporter"} | {"anonymous": True}
    r = post_report(client, body)
    assert r.status_code == 201
    tid = json.loads(r.body)["tracking_id"]
    assert reports.reports[tid].reporter is None
    assert reports.reports[tid].anonymous is True


def test_anonymous_identity_given_is_kept_from_public(client):
    r = post_report(client, {**VALID, "anonymous": True})
    tid = json.loads(r.body)["tracking_id"]
    public = client.http.get(f"/v1/reports/{tid}").body.decode()
    assert "Siti" not in public and "6281234567890" not in public


def test_reporter_view_with_token_shows_everything_and_timeline(client):
    created = json.loads(post_report(client).body)
    r = client.http.get(
        f"/v1/reports/{created['tracking_id']}",
        headers={"X-Report-Token": created["access_token"]},
    )
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "private, no-store"
    body = json.loads(r.body)
    assert body["reporter"]["name"] == "Siti Rahayu"
    assert body["location"] == {"lat": -6.9175, "lon": 107.6191}
    assert body["incident_date"] == "2026-11-20"
    assert [e["action"] for e in body["timeline"]] == ["submitted"]
    assert body["timeline"][0]["to_status_label"] == "Belum Terverifikasi"


def test_wrong_token_is_answered_exactly_like_an_unknown_id(client):
    tid = json.loads(post_report(client).body)["tracking_id"]
    wrong = client.http.get(f"/v1/reports/{tid}", headers={"X-Report-Token": "nope"})
    other = "22222222" + "2"  # 9 symbols: append a valid check symbol
    from chalicelib.domain.tracking_id import check_symbol

    unknown = client.http.get(
        f"/v1/reports/{other}{check_symbol(other)}", headers={"X-Report-Token": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda b: {k: v for k, v in json.loads(b).items() if k != "instance"}  # noqa: E731
    assert strip(wrong.body) == strip(unknown.body)


def test_malformed_tracking_id_is_404(client):
    assert problem(client.http.get("/v1/reports/NOT-AN-ID"))["status"] == 404


def test_idempotent_retry_returns_the_same_report_and_token(client, reports, publisher):
    headers = {"Idempotency-Key": "0b6f3c1e-9d1a-4f7e-8a55-2f4b9c6d7e80"}
    first = post_report(client, headers=headers)
    again = post_report(client, headers=headers)
    assert first.status_code == again.status_code == 201
    a, b = json.loads(first.body), json.loads(again.body)
    assert a["tracking_id"] == b["tracking_id"]
    assert a["access_token"] == b["access_token"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(reports.reports) == 1 and len(publisher.published) == 1


def test_idempotency_key_with_another_body_is_refused(client, reports):
    headers = {"Idempotency-Key": "client-key-123456"}
    post_report(client, headers=headers)
    r = post_report(client, {**VALID, "title": "Lampu jalan mati total"}, headers=headers)
    assert r.status_code == 422
    assert problem(r)["type"].endswith("idempotency-key-reused")
    assert len(reports.reports) == 1


def test_malformed_idempotency_key(client, reports):
    r = post_report(client, headers={"Idempotency-Key": "short"})
    assert r.status_code == 400
    assert reports.reports == {}


def test_publish_failure_does_not_fail_the_citizen(client, publisher, reports):
    publisher.failing = True
    r = post_report(client)
    assert r.status_code == 201
    tid = json.loads(r.body)["tracking_id"]
    assert tid in reports.outbox  # the sweeper will pick it up


def test_logs_carry_tracking_id_but_never_contact_details(client, capsys):
    r = post_report(client)
    tid = json.loads(r.body)["tracking_id"]
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(line.get("tracking_id") == tid for line in lines)
    for secret in ("6281234567890", "0812", "siti@example.id", "Siti Rahayu"):
        assert secret not in out
