"""The intake rules: one definition for the API, the portal and every channel
(domain/intake.py), applied by the submission service with the injected clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.intake import (
    InvalidReport,
    ReportDraft,
    check_draft,
    title_from_text,
)
from chalicelib.domain.report import Channel, Reporter, ReportKind
from chalicelib.services.submission import SubmitReport, submit_report
from tests.fakes import FakePublisher, FixedClock

TODAY = date(2026, 11, 27)


def draft(**overrides) -> ReportDraft:
    fields = {
        "kind": ReportKind.COMPLAINT,
        "title": "Jalan berlubang di depan pasar",
        "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        "reporter": Reporter("Siti Rahayu", "+6281234567890"),
        "channel": Channel.API,
    }
    return ReportDraft(**{**fields, **overrides})


def errors(**overrides) -> dict[str, str]:
    with pytest.raises(InvalidReport) as caught:
        check_draft(draft(**overrides), today=TODAY)
    return {e.field: e.type for e in caught.value.errors}


def test_a_valid_draft_comes_back_trimmed_with_its_region_dotted():
    checked = check_draft(
        draft(title="  Jalan berlubang  ", region="3273", reporter=Reporter(" Siti ", "+62812")),
        today=TODAY,
    )
    assert checked.title == "Jalan berlubang"
    assert checked.region == "32.73"
    assert checked.reporter.name == "Siti"


@pytest.mark.parametrize(
    ("overrides", "field", "type_"),
    [
        ({"title": "abcd"}, "title", "string_too_short"),
        ({"title": "x" * 151}, "title", "string_too_long"),
        ({"title": "    abc    "}, "title", "string_too_short"),  # counted after trimming
        ({"description": "terlalu pendek"}, "description", "string_too_short"),
        ({"description": "x" * 4001}, "description", "string_too_long"),
        ({"region": "99.99"}, "region", "invalid_region"),
        ({"incident_date": date(2026, 11, 28)}, "incident_date", "date_in_future"),
        ({"language": "fr"}, "language", "literal_error"),
        ({"reporter": None}, "reporter", "missing_reporter"),
        ({"reporter": Reporter("Siti")}, "reporter", "missing_reporter"),
        ({"reporter": Reporter(None, "+6281234567890")}, "reporter", "missing_reporter"),
        ({"reporter": Reporter("S", "+6281234567890")}, "reporter.name", "string_too_short"),
    ],
)
def test_each_rule(overrides, field, type_):
    assert errors(**overrides) == {field: type_}


def test_every_broken_rule_is_listed_at_once():
    assert set(errors(title="ab", description="pendek", reporter=None)) == {
        "title",
        "description",
        "reporter",
    }


def test_anonymous_reports_need_no_reporter():
    assert check_draft(draft(reporter=None, anonymous=True), today=TODAY).reporter is None


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP, Channel.OPEN311])
def test_on_a_channel_the_senders_address_identifies_them(channel):
    check_draft(draft(channel=channel, reporter=Reporter(None, "+6281234567890")), today=TODAY)


@pytest.mark.parametrize("channel", [Channel.MESSENGER, Channel.X])
def test_an_account_id_reaches_the_reporter_too(channel):
    check_draft(draft(channel=channel, reporter=Reporter(account="1234567890")), today=TODAY)
    assert errors(channel=channel, reporter=Reporter(name="Budi")) == {
        "reporter": "missing_reporter"
    }


def test_today_is_not_the_future():
    assert check_draft(draft(incident_date=TODAY), today=TODAY).incident_date == TODAY


# ---------------------------------------------------------------- the service applies them


def submit(cmd, clock, reports, directory):
    return submit_report(
        cmd,
        reports=reports,
        publisher=FakePublisher(),
        directory=directory,
        clock=clock,
        token_secret=b"secret",
    )


def test_the_service_refuses_a_broken_draft_and_stores_nothing(reports, directory):
    cmd = SubmitReport(**vars(draft(title="ab")))
    with pytest.raises(InvalidReport):
        submit(cmd, FixedClock(), reports, directory)
    assert reports.reports == {}


def test_the_future_is_judged_by_the_injected_clock_in_jakarta(reports, directory):
    # 2026-11-27 18:30 UTC is already the 28th in Jakarta (UTC+7)
    late = FixedClock(datetime(2026, 11, 27, 18, 30, tzinfo=UTC))
    cmd = SubmitReport(**vars(draft(incident_date=date(2026, 11, 28))))
    assert submit(cmd, late, reports, directory).tracking_id
    early = FixedClock(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))  # 23:30 on the 27th
    with pytest.raises(InvalidReport):
        submit(dataclasses.replace(cmd, title="Laporan kedua"), early, reports, directory)


def test_the_stored_report_has_the_normalised_fields(reports, directory):
    cmd = SubmitReport(**vars(draft(region=" 3273 ", title="  Jalan rusak parah ")))
    tid = submit(cmd, FixedClock(), reports, directory).tracking_id
    stored = reports.reports[tid]
    assert (stored.region, stored.title) == ("32.73", "Jalan rusak parah")


# ---------------------------------------------------------------- titles for channel texts


def test_a_title_is_the_first_sentence():
    text = "Lampu jalan mati. Sudah seminggu gelap di Jl. Merdeka, rawan kejahatan."
    assert title_from_text(text) == "Lampu jalan mati"


def test_a_long_first_sentence_is_cut_at_a_word():
    text = "Jalan " + "rusak sekali " * 40
    title = title_from_text(text)
    assert len(title) <= 150 and title.endswith("…")
    assert not title[:-1].endswith(" ")
    assert title[:-1] in text


def test_a_too_short_first_sentence_gives_way_to_the_text():
    assert (
        title_from_text("Pak.  Jalan   rusak\ndi depan rumah") == "Pak. Jalan rusak di depan rumah"
    )


def test_non_latin_text_keeps_its_characters():
    text = "道路に穴があります。危険です。"
    assert title_from_text(text) == text  # no space after 。: one sentence
    assert title_from_text("Jalan rusak 😡 parah sekali") == "Jalan rusak 😡 parah sekali"


def test_abbreviations_do_not_end_the_first_sentence():
    text = "Jalan di Jl. Merdeka No. 5 Kec. Sumur Bandung rusak. Mohon diperbaiki."
    assert title_from_text(text) == "Jalan di Jl. Merdeka No. 5 Kec. Sumur Bandung rusak"
