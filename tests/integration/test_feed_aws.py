"""The public feed's indexes in DynamoDB (the emulator, created from infra/resources.json):
what a save puts in them, the order and pages over every shard, the filters, and that the
index itself holds nothing that identifies a reporter.

Each test works in its own agency, category and region (and far-future creation times
for the unfiltered feed), so reports other tests store do not disturb it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters import partitions
from chalicelib.adapters.dynamodb_models import FEED_PROJECTION
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.deadlines import SlaClock, sort_key
from chalicelib.domain.report import (
    Actor,
    AgencyRef,
    ArchiveReason,
    Channel,
    Location,
    PublicResponse,
    Report,
    Reporter,
    ReportKind,
)
from chalicelib.domain.status import Status
from chalicelib.services.ports import FeedFilters
from tests.integration.uow import save

pytestmark = pytest.mark.integration

SLA = SlaClock(default_calendar())
ADMIN = Actor("platform_admin", "admin.rina")
OFFICER = Actor("officer", "officer.budi.santoso")
IDENTITY = Reporter("Siti Rahayu", "+6281234567890", "siti.rahayu@example.id")
IN_PROGRESS, COMPLETED = ("in_progress",), ("completed",)


@pytest.fixture
def repo(stack):
    return DynamoReportRepository()


@pytest.fixture
def agency():
    suffix = uuid.uuid4().hex[:8]
    return AgencyRef(f"dinas-feed-{suffix}", f"Dinas Uji Feed {suffix}")


def stored(at: datetime, agency: AgencyRef | None, *, status=Status.AWAITING_FOLLOWUP, **fields):
    """A report submitted at ``at`` and, with an agency, disposed and moved to ``status``."""
    values = dict(
        tracking_id=tracking_id.generate(),
        kind=ReportKind.COMPLAINT,
        title="Jalan berlubang di depan pasar",
        description="Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        channel=Channel.API,
        anonymous=False,
        confidential=False,
        access_token_hash="h" * 64,
        reporter=IDENTITY,
        category="infrastruktur",
        region="32.73.01.1001",
        location=Location(-6.917512, 107.619123),
    )
    values.update(fields)
    report = Report.submit(at=at, **values)
    DynamoReportRepository().add_new(report, None)
    if agency is None:
        return report
    later = at + timedelta(minutes=1)
    report.dispose(agency, actor=ADMIN, at=later, rule="admin", reason="ok", sla=SLA)
    if status in (Status.IN_PROGRESS, Status.COMPLETED):
        report.respond("Tim kami meninjau lokasi besok.", actor=OFFICER, at=later)
    if status is Status.COMPLETED:
        report.final_response("Sudah ditambal.", actor=OFFICER, at=later, sla=SLA)
        report.close(actor=ADMIN, at=later, note=None, sla=SLA)
    save(report)
    return report


def every_page(repo, filters: FeedFilters, limit: int) -> tuple[list[str], int]:
    seen, after, pages = [], None, 0
    while True:
        entries, after = repo.feed(filters, limit=limit, after=after)
        pages += 1
        assert len(entries) <= limit
        seen += [e.tracking_id for e in entries]
        if after is None:
            return seen, pages


def test_an_agency_feed_is_newest_first_over_every_shard_and_page(repo, agency):
    t0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
    listed = [
        stored(
            t0 + timedelta(minutes=n),
            agency,
            status=[Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS, Status.COMPLETED][n % 3],
        )
        for n in range(24)
    ]
    hidden = [
        stored(t0 + timedelta(minutes=100), agency, confidential=True),
        stored(t0 + timedelta(minutes=101), agency, confidential=True, anonymous=True),
        stored(t0 + timedelta(minutes=102), None),  # unverified
    ]
    archived = stored(t0 + timedelta(minutes=103), None)
    archived.archive(ArchiveReason.NOT_PUBLIC_SERVICE, "Bukan layanan publik", actor=ADMIN, at=t0)
    save(archived)
    newest_first = [r.tracking_id for r in sorted(listed, key=lambda r: r.created_at, reverse=True)]
    shards = {partitions.shard(r.tracking_id, partitions.FEED_SHARDS) for r in listed}
    assert len(shards) > 4  # the page really merges several shards

    seen, pages = every_page(repo, FeedFilters(agency_id=agency.id), limit=5)

    assert seen == newest_first
    assert pages == 5
    assert not {r.tracking_id for r in [*hidden, archived]} & set(seen)


def test_a_status_filter_reads_only_that_status(repo, agency):
    t0 = datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    reports = {
        status: [stored(t0 + timedelta(minutes=n), agency, status=status) for n in range(3)]
        for status in (Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS, Status.COMPLETED)
    }

    for status, mine in reports.items():
        entries, after = repo.feed(
            FeedFilters(statuses=(status.value,), agency_id=agency.id), limit=10, after=None
        )
        assert [e.tracking_id for e in entries] == [r.tracking_id for r in reversed(mine)]
        assert {e.status for e in entries} == {status} and after is None
    both, _ = repo.feed(
        FeedFilters(statuses=("in_progress", "completed"), agency_id=agency.id),
        limit=10,
        after=None,
    )
    assert len(both) == 6


def test_the_unfiltered_feed_starts_with_the_newest_report(repo, agency):
    # Far in the future: newer than whatever other tests stored.
    t0 = datetime(2099, 1, 1, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 10_000)
    mine = [stored(t0 + timedelta(seconds=n), agency) for n in range(6)]
    secret = stored(t0 + timedelta(seconds=10), agency, confidential=True)

    entries, after = repo.feed(FeedFilters(), limit=4, after=None)
    more, _ = repo.feed(FeedFilters(), limit=2, after=after)

    assert [e.tracking_id for e in entries + more] == [r.tracking_id for r in reversed(mine)]
    assert secret.tracking_id not in [e.tracking_id for e in entries + more]


def test_category_and_region_filters_and_an_anonymous_report_has_no_region(repo, agency):
    t0 = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
    category = f"uji-{uuid.uuid4().hex[:8]}"
    # Papua Tengah (94) and one of its regencies: no other test stores reports there.
    village = stored(t0, agency, category=category, region="94.71.01.1001")
    province_only = stored(t0 + timedelta(minutes=1), agency, category=category, region="94")
    other_regency = stored(t0 + timedelta(minutes=2), agency, category=category, region="94.02")
    anonymous = stored(
        t0 + timedelta(minutes=3), agency, category=category, region="94.71.01", anonymous=True
    )

    def ids(**filters):
        entries, _ = repo.feed(FeedFilters(**filters), limit=20, after=None)
        return [e.tracking_id for e in entries], entries

    by_category, entries = ids(category=category)
    assert by_category == [
        anonymous.tracking_id,
        other_regency.tracking_id,
        province_only.tracking_id,
        village.tracking_id,
    ]
    regions = {e.tracking_id: e.region for e in entries}
    assert regions == {
        anonymous.tracking_id: None,
        other_regency.tracking_id: "94.02",
        province_only.tracking_id: "94",
        village.tracking_id: "94.71",
    }
    assert ids(region="94")[0] == [
        other_regency.tracking_id,
        province_only.tracking_id,
        village.tracking_id,
    ]
    assert ids(region="94.71")[0] == [village.tracking_id]
    assert ids(region="94.02")[0] == [other_regency.tracking_id]
    assert ids(agency_id=agency.id)[0] == by_category  # the anonymous one too


def test_the_index_holds_no_identity_and_exactly_the_entry(repo, agency, aws, stack):
    report = stored(datetime(2026, 5, 7, 2, 0, tzinfo=UTC), agency, status=Status.IN_PROGRESS)
    keys = {
        "feed": "feed_pk",
        "feed-agency": "feed_agency_pk",
        "feed-category": "feed_category_pk",
        "feed-province": "feed_province_pk",
        "feed-regency": "feed_regency_pk",
    }
    scopes = {
        "feed": "all",
        "feed-agency": agency.id,
        "feed-category": "infrastruktur",
        "feed-province": "32",
        "feed-regency": "32.73",
    }
    for index, key in keys.items():
        partition = partitions.feed_key(scopes[index], "in_progress", report.tracking_id)
        answer = aws("dynamodb").query(
            TableName=stack.env["REPORTS_TABLE"],
            IndexName=index,
            KeyConditionExpression="#k = :p AND feed_sk = :s",
            ExpressionAttributeNames={"#k": key},
            ExpressionAttributeValues={
                ":p": {"S": partition},
                ":s": {"S": f"{sort_key(report.created_at)}#{report.tracking_id}"},
            },
        )
        (item,) = answer["Items"]
        assert set(item) <= {"tracking_id", key, "feed_sk", *FEED_PROJECTION}, index
        assert {"title", "description", "public_responses", "feed_region"} <= set(item)
        raw = json.dumps(answer)
        for secret in ("Siti", "6281234567890", "siti.rahayu", "107.619", "32.73.01"):
            assert secret not in raw, (index, secret)


def test_responses_round_trip_and_a_report_moves_and_leaves_the_feed(repo, agency):
    report = stored(datetime(2026, 5, 8, 2, 0, tzinfo=UTC), agency)
    filters = FeedFilters(agency_id=agency.id)
    assert [e.status for e in repo.feed(filters, limit=5, after=None)[0]] == [
        Status.AWAITING_FOLLOWUP
    ]
    at = report.created_at + timedelta(hours=2)
    report.respond("Kami cek besok.", actor=OFFICER, at=at)
    save(report)

    (entry,), _ = repo.feed(filters, limit=5, after=None)
    assert entry.status is Status.IN_PROGRESS
    assert entry.responses == (PublicResponse(agency, at, "Kami cek besok."),)
    assert entry.response_count == 1
    assert (
        repo.feed(
            FeedFilters(statuses=("awaiting_followup",), agency_id=agency.id), limit=5, after=None
        )[0]
        == []
    )
    assert repo.get(report.tracking_id).public_responses == entry.responses

    report.transfer("Bukan wewenang", actor=OFFICER, at=at + timedelta(hours=1), sla=SLA)
    save(report)
    assert repo.feed(filters, limit=5, after=None) == ([], None)
    assert repo.get(report.tracking_id).public_responses == entry.responses  # kept


def test_a_page_reads_little_more_than_a_page(repo, agency, monkeypatch):
    from chalicelib.adapters import report_repository

    t0 = datetime(2026, 5, 9, 2, 0, tzinfo=UTC)
    for n in range(40):
        stored(t0 + timedelta(minutes=n), agency)
    index = report_repository._FEED_INDEXES["feed_agency_pk"]
    real, read = index.query, []

    def counting(*args, **kwargs):
        items = list(real(*args, **kwargs))
        read.extend(items)
        return iter(items)

    monkeypatch.setattr(index, "query", counting)
    entries, after = repo.feed(
        FeedFilters(statuses=("awaiting_followup",), agency_id=agency.id), limit=5, after=None
    )
    assert len(entries) == 5 and after is not None
    assert len(read) <= 5 + 2 * partitions.FEED_SHARDS  # not the agency's 40
