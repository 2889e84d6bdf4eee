"""The notifications consumer with fakes: what reporters, agencies and admins are sent,
in which language, what is never in it, and that a redelivered message mails once.

Reports go through the real domain and message bus: what the bus enqueues is what the
consumer handles (as JSON, as the queue carries it)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef, ArchiveReason, Reporter, Visibility
from chalicelib.domain.tracking_id import check_symbol
from chalicelib.services import mail_texts, messagebus, notify
from chalicelib.services.notify import EmailChannel, Notifier
from chalicelib.services.ports import Agency
from tests.builders import submitted_report
from tests.fakes import (
    FakeAlerts,
    FakeDirectory,
    FakeDispatchQueue,
    FakeMailer,
    FakeMessages,
    FakeSentMarkers,
    FakeTargets,
    InMemoryReports,
    InMemoryUnitOfWork,
)

T0 = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # Monday
PORTAL = "https://lapor.example.go.id"
OFFICER = Actor("officer", "officer.bandung")
ADMIN = Actor("platform_admin", "admin-1")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
AGENCIES = [
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id="pemprov-jabar",
        email="pengaduan@bandung.go.id",
    ),
    Agency(
        "pemprov-jabar",
        "Pemerintah Provinsi Jawa Barat",
        "local_government",
        email="lapor@jabarprov.go.id",
    ),
    Agency("kemenkes", "Kementerian Kesehatan", "ministry", email="pengaduan@kemkes.go.id"),
]
IDENTITY = ("Siti", "Rahayu", "siti.rahayu@example.id", "6281234567890", "Pasar Kosambi")


def tid(n: int) -> str:
    payload = f"{n:09d}".translate(str.maketrans("0123456789", "23456789AB"))
    return payload + check_symbol(payload)


class World:
    def __init__(self):
        self.reports = InMemoryReports()
        self.directory = FakeDirectory(agencies=AGENCIES)
        self.messages = FakeMessages()
        self.mailer = FakeMailer()
        self.markers = FakeSentMarkers()
        self.alerts = FakeAlerts()
        self.sla = SlaClock(default_calendar())
        self.outlets = messagebus.Outlets(
            self.directory, FakeTargets(), FakeDispatchQueue(), self.messages
        )
        self.notifier = Notifier(
            reports=self.reports,
            directory=self.directory,
            channels=[EmailChannel(self.mailer)],
            mailer=self.mailer,
            markers=self.markers,
            alerts=self.alerts,
            uow=self.uow,
            portal_url=PORTAL,
        )

    def uow(self):
        return InMemoryUnitOfWork(self.reports)

    def submit(self, n=1, **fields):
        report = submitted_report(T0, tid(n), **fields)
        self.reports.add_new(report, None)
        return report.tracking_id

    def act(self, tracking_id, change):
        """One action through a unit of work; its events through the message bus."""
        with self.uow() as uow:
            report = uow.reports.get(tracking_id)
            change(report)
            uow.reports.save(report)
            uow.commit()
            events = uow.collect_new_events()
        messagebus.handle(
            events,
            {tracking_id: report},
            self.outlets,
            only=(messagebus.tell_reporter, messagebus.escalate),
        )

    def deliver(self):
        """Hand every queued message to the consumer (as the queue would: JSON)."""
        queued, self.messages.messages = self.messages.messages, []
        return [self.notifier.handle(notify.parse(json.dumps(m))) for m in queued]


@pytest.fixture
def world():
    return World()


def dispose(report, at=T0):
    report.dispose(
        BANDUNG,
        actor=ADMIN,
        at=at,
        rule="admin",
        reason="verified",
        sla=SlaClock(default_calendar()),
    )


# ---------------------------------------------------------------- reporters


def test_the_reporter_hears_of_the_disposition_in_bahasa_indonesia(world):
    t = world.submit()
    world.act(t, dispose)
    assert world.deliver() == ["sent"]
    ((to, subject, text),) = world.mailer.sent
    assert to == "siti.rahayu@example.id"
    assert subject == f"[Satu Pintu] Laporan {t}: Belum Ditindaklanjuti"
    assert "diteruskan kepada Pemerintah Kota Bandung" in text
    assert f"Nomor pelacakan: {t}" in text
    assert f"{PORTAL}/v1/reports/{t}" in text


def test_an_agency_response_reaches_an_english_speaking_reporter_with_its_message(world):
    t = world.submit(language="en")
    world.act(t, dispose)
    world.act(t, lambda r: r.respond("The road will be patched on Friday.", actor=OFFICER, at=T0))
    world.deliver()
    _to, subject, text = world.mailer.sent[-1]
    assert subject == f"[Satu Pintu] Report {t}: In progress"
    assert "Pemerintah Kota Bandung has responded to your report." in text
    assert "Message:\n  The road will be patched on Friday." in text
    assert f"Follow your report:\n{PORTAL}/v1/reports/{t}" in text
    assert "officer.bandung" not in text  # officers appear as their agency, never by name


def test_a_final_response_says_the_completion_window_started(world):
    t = world.submit()
    world.act(t, dispose)
    world.act(
        t, lambda r: r.final_response("Sudah diperbaiki.", actor=OFFICER, at=T0, sla=world.sla)
    )
    world.deliver()
    _, subject, text = world.mailer.sent[-1]
    assert subject.endswith(": Proses")
    assert "tanggapan akhir" in text and "10 hari kerja" in text
    assert "Sudah diperbaiki." in text


def test_internal_notes_never_reach_the_reporter(world):
    t = world.submit()
    world.act(t, dispose)
    world.act(t, lambda r: r.add_note("Pelapor ini sering mengeluh", actor=OFFICER, at=T0))
    world.act(t, lambda r: r.respond("Kami tindak lanjuti.", actor=OFFICER, at=T0))
    world.deliver()
    assert len(world.mailer.sent) == 2  # disposition and response; the note tells nothing
    assert all("sering mengeluh" not in text for _, _, text in world.mailer.sent)


def test_an_entry_only_staff_may_see_is_rendered_without_its_note(world):
    t = world.submit()
    report = world.reports.get(t)
    entry = report.record(
        "responded", actor=OFFICER, at=T0, note="internal", visibility=Visibility.STAFF
    )
    mail = mail_texts.reporter_update(report, entry, "report.responded", PORTAL)
    assert "internal" not in mail.text
    assert mail_texts.reporter_message_note(entry) is None


def test_an_archived_report_tells_the_reporter_why(world):
    t = world.submit()
    world.act(
        t,
        lambda r: r.archive(
            ArchiveReason.TOO_GENERAL, "Mohon sebutkan lokasi.", actor=ADMIN, at=T0
        ),
    )
    world.deliver()
    _, subject, text = world.mailer.sent[-1]
    assert subject.endswith(": Diarsipkan")
    assert "Mohon sebutkan lokasi." in text


def test_a_transfer_back_to_verification_tells_the_reporter_with_the_reason(world):
    t = world.submit()
    world.act(t, dispose)
    world.act(t, lambda r: r.transfer("Jalan provinsi", actor=OFFICER, at=T0, sla=world.sla))
    world.deliver()
    _, subject, text = world.mailer.sent[-1]
    assert subject.endswith(": Belum Terverifikasi")
    assert "bukan kewenangannya" in text and "Jalan provinsi" in text


def test_a_reroute_is_told_once_by_the_new_assignment(world):
    t = world.submit()
    world.act(t, dispose)
    world.deliver()
    kemenkes = AgencyRef("kemenkes", "Kementerian Kesehatan")
    world.act(t, lambda r: r.reroute(kemenkes, actor=ADMIN, at=T0, reason="salah instansi"))
    assert sorted(world.deliver()) == ["sent", "skipped"]
    _, _, text = world.mailer.sent[-1]
    assert "diteruskan kepada Kementerian Kesehatan" in text
    assert len(world.mailer.sent) == 2


def test_a_reporter_without_an_e_mail_address_gets_nothing(world):
    t = world.submit(reporter=Reporter("Budi", "+6281234567890", None))
    world.act(t, dispose)
    assert world.deliver() == ["no_contact"]
    assert world.mailer.sent == []


def test_an_anonymous_report_without_contact_queues_nothing(world):
    t = world.submit(anonymous=True, reporter=None)
    world.act(t, dispose)
    assert world.messages.messages == []


def test_a_redelivered_message_mails_once(world):
    t = world.submit()
    world.act(t, dispose)
    (message,) = world.messages.messages
    body = json.dumps(message)
    assert world.notifier.handle(notify.parse(body)) == "sent"
    assert world.notifier.handle(notify.parse(body)) == "duplicate"
    assert len(world.mailer.sent) == 1


def test_a_failed_send_is_retried_and_then_sent_once(world):
    t = world.submit()
    world.act(t, dispose)
    (message,) = world.messages.messages
    body = json.dumps(message)
    world.mailer.failing = True
    with pytest.raises(ConnectionError):
        world.notifier.handle(notify.parse(body))
    world.mailer.failing = False
    assert world.notifier.handle(notify.parse(body)) == "sent"
    assert world.notifier.handle(notify.parse(body)) == "duplicate"
    assert len(world.mailer.sent) == 1


def test_a_missing_report_is_dropped(world):
    message = {
        "kind": "report_event",
        "event_id": "x",
        "tracking_id": tid(99),
        "type": "report.assigned",
        "seq": 2,
    }
    assert world.notifier.handle(notify.parse(json.dumps(message))) == "gone"


def test_a_timeline_entry_not_yet_readable_is_retried(world):
    t = world.submit()
    message = {
        "kind": "report_event",
        "event_id": "x",
        "tracking_id": t,
        "type": "report.assigned",
        "seq": 7,
    }
    with pytest.raises(notify.NotReady):
        world.notifier.handle(notify.parse(json.dumps(message)))


# ---------------------------------------------------------------- escalations


def overdue(world, n=1, **fields):
    t = world.submit(n, **fields)
    world.act(t, dispose)
    world.deliver()
    world.mailer.sent.clear()
    due = world.reports.get(t).deadline.due
    world.act(t, lambda r: r.mark_overdue(at=due + timedelta(hours=1)))
    return t, due


def test_an_overdue_report_escalates_to_the_agency_its_parent_and_the_admins(world):
    t, due = overdue(world)
    assert world.deliver() == ["sent"]
    recipients = [to for to, _, _ in world.mailer.sent]
    assert recipients == ["pengaduan@bandung.go.id", "lapor@jabarprov.go.id"]
    _, subject, text = world.mailer.sent[0]
    assert subject == f"[Satu Pintu] Laporan {t} melewati batas waktu tindak lanjut pertama"
    assert "Pemerintah Kota Bandung" in text
    # disposed Monday 16 March 2026: 5 working days skip Nyepi (19th) and the joint leave
    assert "pada akhir hari Senin, 30 Maret 2026 (WIB)." in text
    assert f"{PORTAL}/v1/reports/{t}" in text
    assert "instansi induk" in world.mailer.sent[1][2]
    ((alert_subject, alert),) = world.alerts.alerts
    assert t in alert_subject and "pemkot-bandung" in alert and due.isoformat() in alert


def test_an_escalation_never_carries_the_reporters_identity_or_the_report_text(world):
    _t, _ = overdue(world)
    world.deliver()
    everything = json.dumps([world.mailer.sent, world.alerts.alerts])
    for secret in (*IDENTITY, "Jalan berlubang"):
        assert secret not in everything


def test_an_escalation_redelivered_or_partly_failed_sends_each_recipient_once(world):
    _t, _ = overdue(world)
    (message,) = world.messages.messages
    body = json.dumps(message)

    calls = []

    def flaky_send(to, subject, text):
        calls.append(to)
        if to == "lapor@jabarprov.go.id" and calls.count(to) == 1:
            raise ConnectionError("SES throttled")
        world.mailer.sent.append((to, subject, text))

    world.mailer.send = flaky_send
    with pytest.raises(ConnectionError):
        world.notifier.handle(notify.parse(body))
    assert world.notifier.handle(notify.parse(body)) == "sent"
    assert world.notifier.handle(notify.parse(body)) == "duplicate"
    assert [to for to, _, _ in world.mailer.sent] == [
        "pengaduan@bandung.go.id",
        "lapor@jabarprov.go.id",
    ]
    assert len(world.alerts.alerts) == 1


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"kind": "carrier_pigeon", "tracking_id": "X"}),
        json.dumps({"kind": "report_event", "tracking_id": "X", "type": "report.assigned"}),
        json.dumps(
            {
                "kind": "report_event",
                "event_id": "e",
                "tracking_id": "X",
                "type": "report.rated",
                "seq": 2,
            }
        ),
        json.dumps(
            {
                "kind": "report_event",
                "event_id": "e",
                "tracking_id": "X",
                "type": "report.assigned",
                "seq": "2",
            }
        ),
        json.dumps(
            {
                "kind": "escalation",
                "event_id": "e",
                "tracking_id": "X",
                "type": "report.overdue",
                "seq": 3,
            }
        ),
        json.dumps({"kind": "access_link", "tracking_id": "X"}),
        json.dumps({"kind": "access_link", "tracking_id": 7, "request_id": "r"}),
    ],
)
def test_malformed_messages_are_refused(body):
    with pytest.raises(notify.Malformed):
        notify.parse(body)


def test_english_status_labels_cover_every_status():
    from chalicelib.domain.status import Status

    assert set(mail_texts.STATUS_LABELS_EN) == set(Status)


def test_a_new_access_token_survives_a_lost_race(world):
    from chalicelib.domain.status import Status
    from chalicelib.services.access_links import renew_token
    from chalicelib.services.access_tokens import digest

    t = world.submit()
    units = []

    def racing_uow():
        unit = InMemoryUnitOfWork(world.reports)
        if not units:
            commit = unit.commit

            def after_a_concurrent_change():
                world.act(t, dispose)  # an admin disposes it between our read and write
                commit()

            unit.commit = after_a_concurrent_change
        units.append(unit)
        return unit

    token, _ = renew_token(racing_uow, t)
    assert len(units) == 2
    stored = world.reports.get(t)
    assert stored.access_token_hash == digest(token)
    assert stored.status is Status.AWAITING_FOLLOWUP  # the other change is kept
