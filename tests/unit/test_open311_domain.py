"""The Open311 mapping (chalicelib.domain.open311) and the api_key and search use cases
(chalicelib.services.open311), without HTTP. (Titles: tests/unit/test_intake_rules.py.)"""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import open311, tracking_id
from chalicelib.domain.calendar import ServiceLevels
from chalicelib.domain.status import Status
from chalicelib.services import open311 as service
from chalicelib.services.ports import FeedFilters
from tests.builders import submitted_report
from tests.fakes import FakeApiClients

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


# ---------------------------------------------------------------- statuses and views


def test_every_status_maps_to_open_or_closed():
    assert {s: open311.status_of(s) for s in Status} == {
        Status.UNVERIFIED: "open",
        Status.AWAITING_FOLLOWUP: "open",
        Status.IN_PROGRESS: "open",
        Status.COMPLETED: "closed",
        Status.ARCHIVED: "closed",
    }
    assert open311.statuses_for({"closed"}) == {Status.COMPLETED, Status.ARCHIVED}
    assert open311.statuses_for(set()) == set(Status)
    with pytest.raises(open311.InvalidSearch):
        open311.statuses_for({"open", "pending"})


def test_a_service_request_never_carries_identity_or_location():
    report = submitted_report(NOW, tracking_id.generate(), anonymous=True)
    item = open311.service_request(report, "Infrastruktur")
    assert tuple(item) == open311.REQUEST_FIELDS
    assert item["lat"] is item["long"] is item["address"] is None
    assert "Siti" not in repr(item) and "+62" not in repr(item)
    hidden = submitted_report(NOW, tracking_id.generate(), confidential=True)
    assert open311.service_request(hidden, None)["description"] is None


def test_the_notice_follows_the_service_levels():
    notice = open311.notice(ServiceLevels(verify_days=2, first_response_days=7))
    assert "2 hari kerja" in notice and "7 hari kerja" in notice


# ---------------------------------------------------------------- date ranges


def test_dates_are_w3c_with_a_time_zone_or_plain_dates():
    assert open311.parse_w3c("s", "2010-01-01T00:00:00Z") == datetime(2010, 1, 1, tzinfo=UTC)
    assert open311.parse_w3c("s", "2010-01-01T07:00:00+07:00") == datetime(2010, 1, 1, tzinfo=UTC)
    assert open311.parse_w3c("s", "2010-01-02") == datetime(2010, 1, 2, tzinfo=UTC)
    for bad in ("2010-01-01T00:00:00", "01/02/2010", "", "2010-13-01"):
        with pytest.raises(open311.InvalidSearch):
            open311.parse_w3c("s", bad)


def test_the_range_defaults_to_90_days_and_never_spans_more():
    day = timedelta(days=1)
    assert open311.date_range(None, None, NOW) == (NOW - 90 * day, NOW)
    assert open311.date_range(NOW - 10 * day, None, NOW) == (NOW - 10 * day, NOW + 80 * day)
    assert open311.date_range(None, NOW - day, NOW) == (NOW - 91 * day, NOW - day)
    assert open311.date_range(NOW - 90 * day, NOW, NOW) == (NOW - 90 * day, NOW)
    with pytest.raises(open311.InvalidSearch, match="90 days"):
        open311.date_range(NOW - 91 * day, NOW, NOW)
    with pytest.raises(open311.InvalidSearch, match="before"):
        open311.date_range(NOW, NOW - day, NOW)


# ---------------------------------------------------------------- api keys


def test_keys_are_stored_hashed_and_revoked_by_name():
    clients = FakeApiClients()
    key = service.issue_key(clients, "kota-app", NOW)
    again = service.issue_key(clients, "kota-app", NOW)
    assert key.startswith("o311_") and len(key) > 40 and key != again
    assert key not in repr(clients.items)
    assert service.authenticate(clients, key).name == "kota-app"
    assert service.revoke_keys(clients, "kota-app", NOW) == 2
    assert service.revoke_keys(clients, "kota-app", NOW) == 0
    with pytest.raises(service.InvalidApiKey):
        service.authenticate(clients, key)
    for bad in (None, "", "o311_" + "x" * 300):
        with pytest.raises(service.InvalidApiKey):
            service.authenticate(clients, bad)
    for name in ("", "a b", "x" * 65, "nama/app"):
        with pytest.raises(ValueError):
            service.issue_key(clients, name, NOW)


# ---------------------------------------------------------------- searching


class CountingFeed:
    """A feed of ``n`` entries a minute apart, counting what is read."""

    def __init__(self, n):
        from chalicelib.domain.report import AgencyRef
        from chalicelib.domain.views import FeedEntry

        self.read = 0
        self.entries = [
            FeedEntry(
                tracking_id=f"{i:010d}",
                kind="complaint",
                status=Status.AWAITING_FOLLOWUP,
                category="infrastruktur",
                region=None,
                agency=AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung"),
                anonymous=False,
                title="t",
                description="d",
                created_at=NOW - timedelta(minutes=i),
                updated_at=NOW,
                responses=(),
                response_count=0,
            )
            for i in range(n)
        ]

    def feed(self, filters, *, limit, after):
        from chalicelib.domain.deadlines import sort_key

        newer = [e for e in self.entries if f"{sort_key(e.created_at)}#{e.tracking_id}" < after]
        page = newer[:limit]
        self.read += len(page)
        more = len(newer) > limit
        last = page[-1] if page else None
        return page, (f"{sort_key(last.created_at)}#{last.tracking_id}" if more else None)


def test_a_search_stops_reading_at_the_start_of_the_range_and_at_1000():
    feed = CountingFeed(3000)
    filters = FeedFilters(("awaiting_followup",))
    got = service._entries(feed, filters, NOW - timedelta(minutes=249), NOW)
    assert len(got) == 250 and feed.read <= 300
    feed.read = 0
    got = service._entries(feed, filters, NOW - timedelta(days=30), NOW)
    assert len(got) == 1000 and feed.read == 1000
    # the end of the range is included, what came after it is not
    got = service._entries(feed, filters, NOW - timedelta(days=1), NOW - timedelta(minutes=5))
    assert got[0].created_at == NOW - timedelta(minutes=5)


def test_dates_at_the_edge_of_the_calendar_are_refused_not_an_error():
    with pytest.raises(open311.InvalidSearch):
        open311.parse_w3c("start_date", "0001-01-01T00:30:00+01:00")
    first = open311.parse_w3c("end_date", "0001-01-01")
    last = open311.parse_w3c("start_date", "9999-12-31")
    with pytest.raises(open311.InvalidSearch, match="range"):
        open311.date_range(None, first, NOW)
    with pytest.raises(open311.InvalidSearch, match="range"):
        open311.date_range(last, None, NOW)
