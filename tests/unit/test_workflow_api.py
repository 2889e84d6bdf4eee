"""The case workflow over HTTP (chalice test client, in-memory fakes): the whole life of a
report, the authorization matrix, lost races, and privacy of anonymous reports."""

import json
from datetime import UTC, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.directory import Agency, Category
from chalicelib.services.routing import route_submitted
from tests.fakes import FakeDirectory
from tests.unit.api_helpers import VALID, bearer, problem

BANDUNG, JABAR, DUKCAPIL = "pemkot-bandung", "pemprov-jabar", "disdukcapil-bandung"
CATEGORIES = [Category("infrastruktur", "Infrastruktur", "regional")]
AGENCIES = [
    Agency("pemprov-jabar", "Pemerintah Provinsi Jawa Barat", "local_government", region_code="32"),
    Agency(
        BANDUNG,
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id=JABAR,
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency(DUKCAPIL, "Disdukcapil Kota Bandung", "local_government", parent_id=BANDUNG),
    Agency("kemenkes", "Kementerian Kesehatan", "ministry"),
]
ADMIN = bearer("platform_admin", username="admin")
OFFICER = bearer("officer", BANDUNG, "officer.bandung")
AGENCY_ADMIN = bearer("agency_admin", BANDUNG, "agencyadmin.bandung")
EXEC = bearer("executive", BANDUNG, "exec.bandung")
PARENT = bearer("officer", JABAR, "officer.jabar")
OTHER = bearer("officer", "kemenkes", "officer.kemenkes")


@pytest.fixture
def directory():
    return FakeDirectory(CATEGORIES, AGENCIES)


@pytest.fixture
def clock(clock):
    clock.at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    return clock


@pytest.fixture
def client(wired, trusted_staff_tokens):
    with Client(app) as c:
        yield c


def call(client, method, path, body=None, headers=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    data = json.dumps(body) if body is not None else ""
    return getattr(client.http, method)(path, headers=hdrs, body=data)


@pytest.fixture
def submitted(client, uow, directory, outlets, clock, calendar):
    """POST a report and let the router decide; (tracking id, reporter headers)."""

    def _submit(**fields):
        r = call(client, "post", "/v1/reports", {**VALID, "incident_date": "2026-03-10", **fields})
        assert r.status_code == 201, r.body
        body = json.loads(r.body)
        route_submitted(
            body["tracking_id"],
            uow=uow,
            directory=directory,
            outlets=outlets,
            clock=clock,
            calendar=calendar,
        )
        return body["tracking_id"], {"X-Report-Token": body["access_token"]}

    return _submit


def staff_view(client, tid, headers=OFFICER):
    r = call(client, "get", f"/v1/staff/reports/{tid}", headers=headers)
    assert r.status_code == 200, r.body
    return json.loads(r.body)


def act(client, path, body=None, headers=OFFICER, status=200):
    r = call(client, "post", path, body, headers)
    assert r.status_code == status, r.body
    return json.loads(r.body)


def test_the_whole_life_of_a_report(client, submitted, clock, dispatch_queue, messages, targets):
    from chalicelib.services.ports import WebhookTarget

    targets.save(
        WebhookTarget("wh", BANDUNG, "https://hook.example.go.id/", ("*",), "whsec_" + "A" * 44)
    )
    tid, me = submitted()
    view = staff_view(client, tid)
    assert view["status"] == "awaiting_followup"
    # disposed Tuesday 17 March 2026: due by the end of Tuesday 31 March (Nyepi, Idul
    # Fitri and their joint leave days skipped), i.e. midnight Jakarta = 17:00 UTC
    assert view["deadline"]["kind"] == "first_response"
    assert view["deadline"]["due"].startswith("2026-03-31T17:00:00")
    assert view["reporter"]["name"] == "Siti Rahayu"  # not anonymous: staff see the contact
    assert "respond" in view["allowed_actions"]

    clock.advance(hours=2)
    done = act(
        client,
        f"/v1/staff/reports/{tid}/information-requests",
        {"message": "Mohon kirim foto lokasi."},
    )
    assert done["awaiting_reporter"] is True and done["deadline"] is None  # paused

    clock.advance(days=6)  # Monday 23 March: the reporter answers
    act(client, f"/v1/reports/{tid}/replies", {"message": "Foto sudah saya lampirkan."}, me)
    view = staff_view(client, tid)
    assert view["awaiting_reporter"] is False
    assert view["deadline"]["kind"] == "first_response"  # running again, moved on

    done = act(
        client, f"/v1/staff/reports/{tid}/responses", {"message": "Tim kami akan meninjau lokasi."}
    )
    assert done["status"] == "in_progress" and done["deadline"] is None

    act(client, f"/v1/staff/reports/{tid}/notes", {"text": "cek anggaran dulu"})
    done = act(
        client, f"/v1/staff/reports/{tid}/final-response", {"message": "Jalan sudah diperbaiki."}
    )
    assert done["deadline"]["kind"] == "completion"

    r = call(client, "put", f"/v1/reports/{tid}/rating", {"score": 4, "comment": "cepat"}, me)
    assert r.status_code == 200, r.body
    done = act(client, f"/v1/reports/{tid}/confirm", headers=me)
    assert done["status"] == "completed"
    assert "reopen" in done["allowed_actions"]

    mine = json.loads(call(client, "get", f"/v1/reports/{tid}", headers=me).body)
    actions = [e["action"] for e in mine["timeline"]]
    assert actions == [
        "submitted",
        "disposed",
        "information_requested",
        "reporter_replied",
        "responded",
        "final_response",
        "rated",
        "confirmed",
    ]  # the internal note and the routing detail are for staff only
    assert mine["rating"]["score"] == 4
    public = json.loads(call(client, "get", f"/v1/reports/{tid}").body)
    assert "internal_note" not in [e["action"] for e in public["timeline"]]
    assert all(e["actor_id"] is None for e in public["timeline"])
    assert "officer.bandung" not in json.dumps(public)
    full = [e["action"] for e in staff_view(client, tid)["timeline"]]
    assert "internal_note" in full

    types = [j.event_type for j in dispatch_queue.jobs]
    assert {"report.reporter_replied", "report.rated", "report.completed"} <= set(types)
    told = [m["type"] for m in messages.messages]
    assert {
        "report.assigned",
        "report.info_requested",
        "report.responded",
        "report.completed",
    } <= set(told)


def test_transfer_goes_back_first_in_line_and_an_admin_reroutes(client, submitted, clock):
    older, _ = submitted(category=None)  # waits for verification
    clock.advance(hours=1)
    tid, _ = submitted()
    clock.advance(hours=1)
    act(
        client,
        f"/v1/staff/reports/{tid}/transfer",
        {"reason": "Bukan wewenang kami: jalan provinsi", "suggested_agency": JABAR},
    )
    queue = json.loads(call(client, "get", "/v1/admin/verification-queue", headers=ADMIN).body)
    assert [i["tracking_id"] for i in queue["items"]] == [tid, older]  # transferred first
    assert queue["items"][0]["routing"]["rule"] == "transferred"
    # the officer lost it
    assert call(client, "get", f"/v1/staff/reports/{tid}", headers=OFFICER).status_code == 403

    act(client, f"/v1/admin/reports/{tid}/dispose", {"agency_id": JABAR}, ADMIN)
    done = act(
        client,
        f"/v1/admin/reports/{tid}/reroute",
        {"agency_id": BANDUNG, "reason": "Ternyata jalan kota"},
        ADMIN,
    )
    assert done["status"] == "awaiting_followup"
    done = act(client, f"/v1/staff/reports/{tid}/responses", {"message": "Kami tangani."})
    assert done["status"] == "in_progress"


def test_archive_as_duplicate_links_both_and_restore(client, submitted):
    first, _ = submitted(category=None)
    second, me = submitted(category=None)
    act(
        client,
        f"/v1/admin/reports/{second}/archive",
        {"reason": "duplicate", "message": "Sudah dilaporkan.", "duplicate_of": first},
        ADMIN,
    )
    assert staff_view(client, first, ADMIN)["duplicates"] == [second]
    mine = json.loads(call(client, "get", f"/v1/reports/{second}", headers=me).body)
    assert mine["status"] == "archived" and mine["duplicate_of"] == first
    assert mine["archival"]["reason"] == "duplicate"
    assert "archived" in [e["action"] for e in mine["timeline"]]
    public = json.loads(call(client, "get", f"/v1/reports/{second}").body)
    assert public["status"] == "archived"
    assert "Sudah dilaporkan." not in json.dumps(public)  # the reason is the reporter's
    r = call(
        client,
        "post",
        f"/v1/admin/reports/{first}/archive",
        {"reason": "duplicate", "message": "x" * 5},
        ADMIN,
    )
    assert r.status_code == 422  # a duplicate names its original
    done = act(client, f"/v1/admin/reports/{second}/restore", {"note": "salah arsip"}, ADMIN)
    assert done["status"] == "unverified"


@pytest.mark.parametrize(
    ("headers", "path", "status"),
    [
        (OFFICER, "confirm", 401),  # the reporter's action needs the report token
        (EXEC, "staff/responses", 403),  # executives read only
        (PARENT, "staff/responses", 403),  # a parent agency oversees, does not act
        (OTHER, "staff/responses", 403),  # another agency
        ({}, "staff/responses", 401),
        (OFFICER, "admin/archive", 403),
        (AGENCY_ADMIN, "admin/reroute", 403),
        ({"X-Report-Token": "x" * 43}, "replies", 404),  # a wrong token: like unknown
    ],
)
def test_who_may_not(client, submitted, headers, path, status):
    tid, _ = submitted()
    prefix, _, action = path.rpartition("/")
    url = f"/v1/{prefix + '/' if prefix else ''}reports/{tid}/{action}"
    body = {"message": "halo", "reason": "duplicate", "agency_id": "kemenkes"}
    if action == "archive":
        body = {"reason": "abusive", "message": "spam spam"}
    if action == "replies":
        body = {"message": "halo"}
    if action == "responses":
        body = {"message": "halo"}
    if action == "reroute":
        body = {"agency_id": "kemenkes", "reason": "lain"}
    r = call(client, "post", url, body if action != "confirm" else None, headers)
    assert r.status_code == status, r.body
    problem(r)


def test_executives_and_parent_agencies_read_the_staff_view(client, submitted):
    anonymous, _ = submitted(anonymous=True, location=None)  # no pin at all
    assert staff_view(client, anonymous)["location"] is None
    tid, _ = submitted()
    assert staff_view(client, tid, EXEC)["allowed_actions"] == []
    assert staff_view(client, tid, PARENT)["allowed_actions"] == []
    assert call(client, "get", f"/v1/staff/reports/{tid}", headers=OTHER).status_code == 403


def test_an_action_the_status_does_not_allow_is_409_naming_what_is(client, submitted):
    tid, me = submitted()
    r = call(client, "post", f"/v1/reports/{tid}/confirm", None, me)
    assert r.status_code == 409
    body = problem(r)
    assert body["current_status"] == "awaiting_followup"
    assert body["allowed_statuses"] == ["in_progress"]
    assert "replies" not in body["allowed_actions"] and "reply" in body["allowed_actions"]


def test_a_lost_race_is_409_with_the_current_version(client, submitted, reports, monkeypatch):
    from tests.fakes import InMemoryUnitOfWork

    tid, _ = submitted()
    real = InMemoryUnitOfWork.commit

    def someone_else_first(self):
        reports.reports[tid].version += 1
        return real(self)

    monkeypatch.setattr(InMemoryUnitOfWork, "commit", someone_else_first)
    r = call(client, "post", f"/v1/staff/reports/{tid}/responses", {"message": "x"}, OFFICER)
    assert r.status_code == 409
    body = problem(r)
    assert body["type"].endswith("concurrent-update")
    assert body["current_version"] == reports.reports[tid].version
    assert reports.reports[tid].status.value == "awaiting_followup"  # nothing written


def test_anonymous_identity_reaches_no_officer_and_reads_are_logged(
    client, submitted, dispatch_queue, targets, identity_log, reports
):
    from chalicelib.services.ports import WebhookTarget

    targets.save(
        WebhookTarget("wh", BANDUNG, "https://hook.example.go.id/", ("*",), "whsec_" + "A" * 44)
    )
    tid, me = submitted(
        anonymous=True, region="32.73.05.1001", location={"lat": -6.917512, "lon": 107.619123}
    )
    act(client, f"/v1/reports/{tid}/replies", {"message": "tambahan"}, me)
    secrets = ("Siti", "Rahayu", "6281234567890", "example.id", "32.73.05", "-6.917512")
    for headers in (OFFICER, AGENCY_ADMIN, EXEC, PARENT, ADMIN):
        text = call(client, "get", f"/v1/staff/reports/{tid}", headers=headers).body.decode()
        for s in secrets[:4]:
            assert s not in text, (headers, s)
    inbox = call(client, "get", "/v1/inbox", headers=OFFICER).body.decode()
    from chalicelib.adapters.fanout import job_to_message
    from chalicelib.services.dispatch import payload_for

    assert dispatch_queue.jobs
    for job in dispatch_queue.jobs:
        queued = job_to_message(job)  # what sits in the queue for days
        delivered = json.dumps(payload_for(job, reports.get(tid)))  # what the agency gets
        for text in (queued, delivered):
            assert all(s not in text for s in secrets), text
    for s in secrets:
        assert s not in inbox
        assert s not in call(client, "get", f"/v1/reports/{tid}").body.decode()

    r = call(
        client, "post", f"/v1/admin/reports/{tid}/identity", {"reason": "Proses hukum"}, OFFICER
    )
    assert r.status_code == 403
    r = call(
        client,
        "post",
        f"/v1/admin/reports/{tid}/identity",
        {"reason": "Permintaan penyidik nomor 12/2026"},
        ADMIN,
    )
    assert r.status_code == 200
    assert json.loads(r.body)["reporter"]["name"] == "Siti Rahayu"
    log = json.loads(
        call(client, "get", f"/v1/admin/identity-access-log?tracking_id={tid}", headers=ADMIN).body
    )
    assert [(e["admin"], e["reason"]) for e in log["items"]] == [
        ("admin", "Permintaan penyidik nomor 12/2026")
    ]
    assert len(identity_log.entries) == 1


def test_inbox_lists_the_agency_and_sub_units_by_deadline_and_filters(
    client, submitted, clock, reports
):
    first, _ = submitted()
    clock.advance(days=10)
    second, _ = submitted()
    r = json.loads(call(client, "get", "/v1/inbox?limit=1", headers=OFFICER).body)
    assert [i["tracking_id"] for i in r["items"]] == [first]  # nearest deadline first
    r2 = json.loads(
        call(client, "get", f"/v1/inbox?limit=1&cursor={r['next_cursor']}", headers=OFFICER).body
    )
    assert [i["tracking_id"] for i in r2["items"]] == [second]
    assert r2["next_cursor"] is None
    # the province oversees its cities
    r = json.loads(call(client, "get", "/v1/inbox", headers=PARENT).body)
    assert {i["tracking_id"] for i in r["items"]} == {first, second}
    assert json.loads(call(client, "get", "/v1/inbox", headers=OTHER).body)["items"] == []
    clock.advance(days=20)
    r = json.loads(call(client, "get", "/v1/inbox?overdue=true", headers=OFFICER).body)
    assert {i["tracking_id"] for i in r["items"]} == {first, second}
    assert all(i["deadline"]["overdue"] for i in r["items"])
    r = call(client, "get", "/v1/inbox?cursor=bogus", headers=OFFICER)
    assert r.status_code == 422
    r = call(client, "get", "/v1/inbox?status=archived", headers=OFFICER)
    assert r.status_code == 422
    r = call(client, "get", "/v1/inbox", headers=ADMIN)
    assert r.status_code == 422  # a platform admin names the agency


def test_an_action_whose_messages_fail_is_done_and_its_events_are_kept(
    client, submitted, messages, reports, uow, directory, outlets, calendar, clock
):
    from chalicelib.services.scheduler import run_scheduler

    tid, _ = submitted()
    messages.failing = True
    done = act(client, f"/v1/staff/reports/{tid}/responses", {"message": "Kami cek."})
    assert done["status"] == "in_progress" and done["notified"] is False
    assert [e.type.value for e in reports.reports[tid].unsent] == ["report.responded"]

    messages.failing = False
    run = run_scheduler(
        uow=uow,
        reports=reports,
        directory=directory,
        outlets=outlets,
        clock=clock,
        calendar=calendar,
    )
    assert run.resent == 1
    assert [m["type"] for m in messages.messages][-1] == "report.responded"
    assert reports.reports[tid].unsent == ()
