"""The public feed's view of a report (domain only): which reports are listed, and that an
entry never identifies the reporter nor names an officer."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import views
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import (
    MAX_PUBLIC_RESPONSES,
    Actor,
    AgencyRef,
    ArchiveReason,
    Location,
    PublicResponse,
    Reporter,
)
from chalicelib.domain.status import Status
from tests.builders import submitted_report

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin.rina")
OFFICER = Actor("officer", "officer.budi.santoso")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
JABAR = AgencyRef("pemprov-jabar", "Pemerintah Provinsi Jawa Barat")
IDENTITY = Reporter("Siti Rahayu", "+6281234567890", "siti.rahayu@example.id")


def report(**fields):
    values = dict(
        reporter=IDENTITY,
        region="32.73.01.1001",
        location=Location(-6.917512, 107.619123),
    )
    return submitted_report(T0, "23456789AB", **{**values, **fields})


def disposed(**fields):
    r = report(**fields)
    r.dispose(BANDUNG, actor=ADMIN, at=T0, rule="admin", reason="ok", sla=SLA)
    return r


def strings_of(entry) -> str:
    """Every value an entry carries, as text (dates, nested responses and all)."""
    return repr(dataclasses.asdict(entry))


# -- which reports are listed ---------------------------------------------------------------


def test_an_unverified_report_is_not_listed():
    assert views.feed_entry(report()) is None


def test_an_archived_report_is_not_listed():
    r = report()
    r.archive(ArchiveReason.TOO_GENERAL, "Terlalu umum", actor=ADMIN, at=T0)
    assert r.status is Status.ARCHIVED
    assert views.feed_entry(r) is None


def test_disposed_in_progress_and_completed_reports_are_listed():
    r = disposed()
    assert views.feed_entry(r).status is Status.AWAITING_FOLLOWUP
    r.respond("Kami cek.", actor=OFFICER, at=T0 + timedelta(hours=1))
    assert views.feed_entry(r).status is Status.IN_PROGRESS
    r.close(actor=ADMIN, at=T0 + timedelta(hours=2), note=None, sla=SLA)
    assert views.feed_entry(r).status is Status.COMPLETED


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_confidential_report_is_never_listed(anonymous):
    r = disposed(confidential=True, anonymous=anonymous)
    assert views.feed_entry(r) is None
    r.respond("Kami cek.", actor=OFFICER, at=T0 + timedelta(hours=1))
    r.close(actor=ADMIN, at=T0 + timedelta(hours=2), note=None, sla=SLA)
    assert views.feed_entry(r) is None


def test_a_report_handed_back_to_the_admins_leaves_the_feed():
    r = disposed()
    r.transfer("Bukan wewenang", actor=OFFICER, at=T0 + timedelta(hours=1))
    assert r.status is Status.UNVERIFIED
    assert views.feed_entry(r) is None


# -- what an entry shows --------------------------------------------------------------------


def test_an_entry_has_the_content_and_no_identity_nor_location():
    entry = views.feed_entry(disposed())
    assert (entry.title, entry.description) == (
        "Jalan berlubang di depan pasar",
        "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
    )
    assert entry.agency == BANDUNG and entry.category == "infrastruktur"
    assert entry.anonymous is False
    names = {f.name for f in dataclasses.fields(entry)}
    assert not names & {"reporter", "location", "channel", "access_token_hash", "routing"}
    text = strings_of(entry)
    for secret in ("Siti", "6281234567890", "siti.rahayu", "-6.9175", "107.619"):
        assert secret not in text


def test_the_region_is_cut_to_the_regency():
    assert views.feed_entry(disposed(region="32.73.01.1001")).region == "32.73"
    assert views.feed_entry(disposed(region="32.73.01")).region == "32.73"
    assert views.feed_entry(disposed(region="32.73")).region == "32.73"
    assert views.feed_entry(disposed(region="32")).region == "32"
    assert views.feed_entry(disposed(region=None)).region is None


def test_an_anonymous_entry_has_no_region_at_all():
    entry = views.feed_entry(disposed(anonymous=True, region="32.73.01.1001"))
    assert entry.region is None
    assert entry.anonymous is True
    assert "32.73" not in strings_of(entry)
    assert "Siti" not in strings_of(entry)


def test_responses_are_kept_under_the_agency_never_the_officer():
    r = disposed()
    r.respond("Tim kami meninjau lokasi besok.", actor=OFFICER, at=T0 + timedelta(hours=1))
    r.request_info("Di mana persisnya?", actor=OFFICER, at=T0 + timedelta(hours=2), sla=SLA)
    r.add_note("anggaran Q4 masih ada", actor=OFFICER, at=T0 + timedelta(hours=3))
    r.reply("Depan gerbang utara.", at=T0 + timedelta(hours=4), sla=SLA)
    r.final_response("Sudah ditambal.", actor=OFFICER, at=T0 + timedelta(hours=5), sla=SLA)

    entry = views.feed_entry(r)

    assert entry.responses == (
        PublicResponse(BANDUNG, T0 + timedelta(hours=1), "Tim kami meninjau lokasi besok."),
        PublicResponse(BANDUNG, T0 + timedelta(hours=5), "Sudah ditambal.", final=True),
    )
    assert entry.response_count == 2
    text = strings_of(entry)
    assert "officer.budi.santoso" not in text and "admin.rina" not in text
    # neither the request for information, the internal note nor the reporter's reply
    assert "persisnya" not in text and "anggaran" not in text and "gerbang" not in text


def test_only_the_newest_responses_are_kept_and_all_are_counted():
    r = disposed()
    for n in range(MAX_PUBLIC_RESPONSES + 3):
        r.respond(f"tanggapan {n}", actor=OFFICER, at=T0 + timedelta(hours=n + 1))
    entry = views.feed_entry(r)
    assert [x.message for x in entry.responses] == [
        f"tanggapan {n}" for n in range(3, MAX_PUBLIC_RESPONSES + 3)
    ]
    assert entry.response_count == MAX_PUBLIC_RESPONSES + 3


def test_earlier_agencies_responses_stay_after_a_reroute_and_a_transfer():
    r = disposed()
    r.respond("Kami teruskan ke provinsi.", actor=OFFICER, at=T0 + timedelta(hours=1))
    r.reroute(JABAR, actor=ADMIN, at=T0 + timedelta(hours=2), reason="Jalan provinsi", sla=SLA)
    r.respond("Jalan provinsi: kami tangani.", actor=OFFICER, at=T0 + timedelta(hours=3))
    r.transfer("Bukan wewenang", actor=OFFICER, at=T0 + timedelta(hours=4), sla=SLA)
    r.dispose(BANDUNG, actor=ADMIN, at=T0 + timedelta(hours=5), rule="admin", reason="", sla=SLA)

    entry = views.feed_entry(r)

    assert entry.agency == BANDUNG
    assert [(x.agency, x.message) for x in entry.responses] == [
        (BANDUNG, "Kami teruskan ke provinsi."),
        (JABAR, "Jalan provinsi: kami tangani."),
    ]
