"""services/feed.py with the in-memory repository: checked filters, pages, and the
iteration the open-data export uses."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock
from chalicelib.domain.report import Actor, AgencyRef
from chalicelib.services import feed
from chalicelib.services.ports import FeedFilters, InvalidCursor
from tests.builders import submitted_report

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin")
OFFICER = Actor("officer", "officer.bandung")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")


def store(reports, at, *, disposed=True, **fields):
    report = submitted_report(at, tracking_id.generate(), **fields)
    reports.add_new(report, None)
    if disposed:
        report.dispose(BANDUNG, actor=ADMIN, at=at, rule="admin", reason="ok", sla=SLA)
        reports.save_changes(report)
    return report


# -- checked filters ------------------------------------------------------------------------


def test_by_default_every_listed_status_and_no_dimension():
    assert feed.checked_filters() == FeedFilters(
        ("awaiting_followup", "in_progress", "completed"), None, None, None
    )
    assert feed.checked_filters() == feed.EVERYTHING


def test_statuses_are_kept_in_their_order_and_others_refused():
    got = feed.checked_filters(statuses=["completed", "awaiting_followup"])
    assert got.statuses == ("awaiting_followup", "completed")
    for status in ("unverified", "archived", "closed"):
        with pytest.raises(feed.InvalidFeedFilter) as e:
            feed.checked_filters(statuses=["in_progress", status])
        assert e.value.field == "status" and status in str(e.value)


@pytest.mark.parametrize(
    ("given", "region"),
    [("32", "32"), ("32.73", "32.73"), ("3273", "32.73"), (" 32.73 ", "32.73")],
)
def test_a_region_is_a_province_or_a_regency(given, region):
    assert feed.checked_filters(region=given).region == region


@pytest.mark.parametrize(
    ("given", "kind"),
    [("32.73.01", "too_fine"), ("3273011001", "too_fine"), ("99", "invalid"), ("3.2", "invalid")],
)
def test_a_finer_or_unknown_region_is_refused(given, kind):
    with pytest.raises(feed.InvalidFeedFilter) as e:
        feed.checked_filters(region=given)
    assert (e.value.field, e.value.kind) == ("region", kind)


def test_one_dimension_at_a_time():
    with pytest.raises(feed.InvalidFeedFilter) as e:
        feed.checked_filters(agency_id="pemkot-bandung", region="32.73")
    assert (e.value.field, e.value.kind) == ("region", "one_filter_at_a_time")
    with pytest.raises(feed.InvalidFeedFilter):
        feed.checked_filters(category="infrastruktur", agency_id="pemkot-bandung")
    assert feed.checked_filters(statuses=["in_progress"], category="infrastruktur").category


# -- pages and the export -------------------------------------------------------------------


def test_a_page_refuses_a_cursor_it_did_not_issue_and_what_it_cannot_serve(reports):
    with pytest.raises(InvalidCursor):
        feed.page(reports, cursor="2026-03-17T03:00:00Z#23456789AB")
    with pytest.raises(InvalidCursor):
        feed.page(reports, cursor="' OR 1=1 --")
    with pytest.raises(ValueError):
        feed.page(reports, limit=0)
    with pytest.raises(ValueError):
        feed.page(reports, FeedFilters(statuses=("unverified",)))
    with pytest.raises(ValueError):  # never one filter silently ignored
        feed.page(reports, FeedFilters(agency_id="pemkot-bandung", category="infrastruktur"))


def test_entries_iterates_every_listed_report_once_newest_first(reports):
    listed = [store(reports, T0 + timedelta(minutes=n)) for n in range(7)]
    store(reports, T0 + timedelta(minutes=20), confidential=True)
    store(reports, T0 + timedelta(minutes=21), disposed=False)

    got = [e.tracking_id for e in feed.entries(reports, page_size=3)]

    assert got == [r.tracking_id for r in reversed(listed)]


def test_a_report_that_changes_status_during_the_export_is_seen_once(reports):
    listed = [store(reports, T0 + timedelta(minutes=n)) for n in range(6)]
    export = feed.entries(reports, page_size=2)
    first = [next(export).tracking_id for _ in range(2)]
    # the oldest, not exported yet, gets a response: it moves to another status partition
    oldest = reports.get(listed[0].tracking_id)
    oldest.respond("Kami cek.", actor=OFFICER, at=T0 + timedelta(hours=1))
    reports.save_changes(oldest)

    rest = [e.tracking_id for e in export]

    assert first + rest == [r.tracking_id for r in reversed(listed)]
