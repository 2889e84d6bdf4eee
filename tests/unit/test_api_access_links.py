"""POST /v1/reports/{id}/access-link: the same answer in every case, a message queued
(ids only) only for the reporter's own contact within the rate limit, and once the
consumer has run, the new token works and the old one does not."""

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.services import notify
from chalicelib.services.notify import ChatChannel, EmailChannel, Notifier
from tests.fakes import (
    FakeAccessLinkLimits,
    FakeAlerts,
    FakeChannelSender,
    FakeMailer,
    FakeSentMarkers,
)
from tests.unit.api_helpers import VALID, post_report, problem


@pytest.fixture
def limits(wired):
    limits = FakeAccessLinkLimits()
    bootstrap.override(access_link_limits=limits)
    return limits


@pytest.fixture
def client(wired, limits):
    with Client(app) as c:
        yield c


def ask(client, tracking_id, contact):
    return client.http.post(
        f"/v1/reports/{tracking_id}/access-link",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"contact": contact}),
    )


@pytest.fixture
def submitted(client):
    body = json.loads(post_report(client).body)
    return body["tracking_id"], body["access_token"]


def test_every_case_gets_the_same_answer_and_only_a_match_is_queued(client, submitted, messages):
    tid, _ = submitted
    unknown = "23456789AM"
    wrong_check = tid[:-1] + ("2" if tid[-1] != "2" else "3")
    answers = {
        "match": ask(client, tid, "siti@example.id"),
        "other e-mail": ask(client, tid, "budi@example.id"),
        "other phone": ask(client, tid, "0813-1111-2222"),
        "unknown report": ask(client, unknown, "siti@example.id"),
        "malformed id": ask(client, wrong_check, "siti@example.id"),
    }
    # a value that could never be a tracking id is refused before anything is looked up,
    # like on every route: it names no report, so it reveals none
    assert ask(client, "ABC", "siti@example.id").status_code == 404
    bodies = {name: (r.status_code, r.body) for name, r in answers.items()}
    assert len(set(bodies.values())) == 1, bodies
    assert answers["match"].status_code == 202
    assert json.loads(answers["match"].body)["status"] == "accepted"
    assert answers["match"].headers["Cache-Control"] == "no-store"
    (queued,) = messages.messages
    assert set(queued) == {"kind", "tracking_id", "request_id", "via"}
    assert queued["kind"] == "access_link" and queued["tracking_id"] == tid
    assert queued["via"] == "email"
    assert "siti" not in json.dumps(queued).lower()


@pytest.mark.parametrize(
    ("contact", "via"),
    [("SITI@Example.ID", "email"), ("0812-3456-7890", "phone"), ("+62 812 3456 7890", "phone")],
)
def test_contacts_are_compared_normalised(client, submitted, messages, contact, via):
    tid, _ = submitted
    assert ask(client, tid, contact).status_code == 202
    assert [m["via"] for m in messages.messages] == [via]


def test_a_contact_that_is_neither_e_mail_nor_phone_is_422(client, submitted, messages):
    tid, _ = submitted
    r = ask(client, tid, "not a contact")
    assert r.status_code == 422
    assert problem(r)["errors"][0]["field"] == "contact"
    assert messages.messages == []


def test_at_most_three_links_per_report_and_hour(client, submitted, messages, clock):
    tid, _ = submitted
    answers = {ask(client, tid, "siti@example.id").body for _ in range(5)}
    assert len(answers) == 1
    assert len(messages.messages) == 3
    clock.advance(hours=1)
    ask(client, tid, "siti@example.id")
    assert len(messages.messages) == 4


def test_a_queue_failure_still_answers_the_same(client, submitted, messages):
    tid, _ = submitted
    before = ask(client, tid, "budi@example.id")
    messages.failing = True
    after = ask(client, tid, "siti@example.id")
    assert (before.status_code, before.body) == (after.status_code, after.body)


def test_an_anonymous_report_without_contact_never_queues(client, messages):
    body = {**VALID, "anonymous": True}
    body.pop("reporter")
    tid = json.loads(post_report(client, body).body)["tracking_id"]
    assert ask(client, tid, "siti@example.id").status_code == 202
    assert messages.messages == []


def test_the_documented_route(client):
    spec = json.loads(client.http.get("/openapi.json").body)
    op = spec["paths"]["/v1/reports/{tracking_id}/access-link"]["post"]
    assert "202" in op["responses"]
    assert "AccessLinkIn" in json.dumps(op["requestBody"])


def consumer(reports, directory, uow, mailer, sender=None):
    sms = [ChatChannel("sms", sender)] if sender else []
    return Notifier(
        reports=reports,
        directory=directory,
        channels=[EmailChannel(mailer), *sms],
        mailer=mailer,
        markers=FakeSentMarkers(),
        alerts=FakeAlerts(),
        uow=uow,
        portal_url="https://lapor.example.go.id",
    )


def test_after_the_consumer_runs_the_new_token_works_and_the_old_one_does_not(
    client, submitted, messages, reports, directory, uow
):
    tid, old_token = submitted
    ask(client, tid, "siti@example.id")
    mailer = FakeMailer()
    notifier = consumer(reports, directory, uow, mailer)
    (queued,) = messages.messages
    body = json.dumps(queued)
    assert notifier.handle(notify.parse(body)) == "sent"
    assert notifier.handle(notify.parse(body)) == "duplicate"  # redelivered: one token, one mail
    ((to, subject, text),) = mailer.sent
    assert to == "siti@example.id"
    assert tid in subject
    new_token = text.split("#token=")[1].split()[0]
    assert new_token != old_token
    assert f"https://lapor.example.go.id/v1/reports/{tid}#token={new_token}" in text

    def view(token):
        return client.http.get(f"/v1/reports/{tid}", headers={"X-Report-Token": token})

    assert view(old_token).status_code == 404
    assert view(new_token).status_code == 200
    assert new_token not in repr(reports.reports[tid])


def test_a_phone_request_renews_nothing_where_sms_is_not_connected(
    client, submitted, messages, reports, directory, uow
):
    tid, old_token = submitted
    ask(client, tid, "0812-3456-7890")
    mailer, sender = FakeMailer(), FakeChannelSender()
    sender.not_connected.add("sms")
    (queued,) = messages.messages
    notifier = consumer(reports, directory, uow, mailer, sender)
    assert notifier.handle(notify.parse(json.dumps(queued))) == "no_channel"
    assert mailer.sent == [] and sender.sent == []
    r = client.http.get(f"/v1/reports/{tid}", headers={"X-Report-Token": old_token})
    assert r.status_code == 200


def test_a_phone_request_is_answered_by_sms_with_a_working_token(
    client, submitted, messages, reports, directory, uow
):
    tid, old_token = submitted
    ask(client, tid, "0812-3456-7890")
    mailer, sender = FakeMailer(), FakeChannelSender()
    (queued,) = messages.messages
    notifier = consumer(reports, directory, uow, mailer, sender)
    assert notifier.handle(notify.parse(json.dumps(queued))) == "sent"
    ((channel, to, text, _, _),) = sender.sent
    assert (channel, to) == ("sms", "+6281234567890") and mailer.sent == []
    new_token = text.split("#token=")[1].split()[0]
    for token, status in ((old_token, 404), (new_token, 200)):
        r = client.http.get(f"/v1/reports/{tid}", headers={"X-Report-Token": token})
        assert r.status_code == status
