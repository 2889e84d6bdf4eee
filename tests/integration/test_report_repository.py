"""DynamoReportRepository against DynamoDB in the emulator, with real domain Reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.domain import tracking_id
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import (
    Actor,
    Channel,
    Location,
    Report,
    Reporter,
    ReportKind,
    TimelineEvent,
)
from chalicelib.domain.status import Status
from chalicelib.services.ports import (
    IdempotencyKeyUsed,
    IdempotencyRecord,
    ReportNotFound,
    TrackingIdTaken,
)
from tests.integration.uow import save

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 27, 3, 0, 12, 345678, tzinfo=UTC)
ADMIN = Actor("platform_admin", "admin")


def new_report(at: datetime = T0, **fields) -> Report:
    values = {
        "tracking_id": tracking_id.generate(),
        "kind": ReportKind.COMPLAINT,
        "title": "Jalan berlubang di depan pasar",
        "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        "channel": Channel.API,
        "anonymous": False,
        "confidential": False,
        "access_token_hash": "sha256:" + "ab" * 32,
        **fields,
    }
    return Report.submit(at=at, **values)


def idempotency(report: Report, *, key: str | None = None, ttl=timedelta(hours=24)):
    key = key or "submit#" + tracking_id.generate()
    expires_at = (report.created_at + ttl).replace(microsecond=0)  # a TTL is whole seconds
    fingerprint = "fingerprint-" + report.tracking_id
    return IdempotencyRecord(key, fingerprint, report.tracking_id, report.created_at, expires_at)


@pytest.fixture
def repo(stack):
    return DynamoReportRepository()


def test_add_new_then_get_round_trips_every_field(repo):
    report = new_report(
        kind=ReportKind.ASPIRATION,
        channel=Channel.WEB,
        anonymous=True,
        confidential=True,
        reporter=Reporter("Siti Rahayu", "+6281234567890", "siti@example.id"),
        category="infrastruktur",
        region="32.73",
        location=Location(-6.9175, 107.6191),
        incident_date=date(2026, 11, 20),
    )
    submitted_event = report.pending_events[0]

    repo.add_new(report, None)

    assert report.pending_events == []
    assert report.event_count == 1
    assert report.version == 1
    stored = repo.get(report.tracking_id)
    assert stored == report  # dataclass equality: every field, timestamps included
    assert stored.reporter == Reporter("Siti Rahayu", "+6281234567890", "siti@example.id")
    assert stored.location == Location(-6.9175, 107.6191)
    assert stored.incident_date == date(2026, 11, 20)
    assert stored.created_at == T0 and stored.updated_at == T0
    assert stored.created_at.tzinfo is not None
    assert (stored.anonymous, stored.confidential) == (True, True)
    assert stored.status is Status.UNVERIFIED
    assert repo.timeline(report.tracking_id) == [
        TimelineEvent(1, T0, "submitted", Actor("reporter"), None, Status.UNVERIFIED)
    ]
    assert repo.timeline(report.tracking_id) == [submitted_event]


def test_a_report_without_optional_fields_round_trips_as_none(repo):
    report = new_report()
    repo.add_new(report, None)

    stored = repo.get(report.tracking_id)

    assert stored == report
    assert stored.reporter is None and stored.location is None
    assert stored.incident_date is None and stored.category is None and stored.region is None
    assert stored.agency is None


def test_get_and_timeline_of_an_unknown_report(repo):
    unknown = tracking_id.generate()
    with pytest.raises(ReportNotFound):
        repo.get(unknown)
    assert repo.timeline(unknown) == []


def test_add_new_with_a_taken_tracking_id_changes_nothing(repo):
    first = new_report(title="Laporan pertama")
    repo.add_new(first, None)
    intruder = new_report(
        at=T0 + timedelta(minutes=5), tracking_id=first.tracking_id, title="Laporan kedua"
    )
    record = idempotency(intruder)

    with pytest.raises(TrackingIdTaken):
        repo.add_new(intruder, record)

    stored = repo.get(first.tracking_id)
    assert stored.title == "Laporan pertama"
    assert stored.created_at == T0
    assert [e.at for e in repo.timeline(first.tracking_id)] == [T0]
    assert repo.get_idempotency(record.key) is None  # the transaction is all or nothing
    assert intruder.pending_events  # still pending: nothing was committed


def test_add_new_with_a_used_idempotency_key_stores_neither_report_nor_event(repo):
    first = new_report()
    record = idempotency(first)
    repo.add_new(first, record)
    second = new_report(at=T0 + timedelta(minutes=1))
    replay = IdempotencyRecord(
        record.key, "another", second.tracking_id, second.created_at, record.expires_at
    )

    with pytest.raises(IdempotencyKeyUsed):
        repo.add_new(second, replay)

    with pytest.raises(ReportNotFound):
        repo.get(second.tracking_id)
    assert repo.timeline(second.tracking_id) == []
    assert repo.get_idempotency(record.key) == record  # still the first one's


def test_an_expired_idempotency_record_is_taken_over(repo):
    first = new_report()
    old = idempotency(first, ttl=timedelta(hours=1))
    repo.add_new(first, old)
    later = new_report(at=T0 + timedelta(hours=2))
    fresh = idempotency(later, key=old.key)

    repo.add_new(later, fresh)

    assert repo.get_idempotency(old.key) == fresh
    assert repo.get(later.tracking_id).tracking_id == later.tracking_id
    assert repo.get(first.tracking_id).tracking_id == first.tracking_id


def test_get_idempotency_returns_the_stored_record(repo):
    report = new_report()
    record = idempotency(report)
    repo.add_new(report, record)

    got = repo.get_idempotency(record.key)

    assert got == record
    assert got.created_at == T0 and got.expires_at == datetime(2026, 11, 28, 3, 0, 12, tzinfo=UTC)
    assert repo.get_idempotency("submit#never-used-" + tracking_id.generate()) is None


def test_concurrent_status_changes_second_writer_loses_atomically(repo):
    report = new_report()
    repo.add_new(report, None)
    mine = repo.get(report.tracking_id)
    theirs = repo.get(report.tracking_id)
    later = T0 + timedelta(hours=1)
    mine.change_status(Status.AWAITING_FOLLOWUP, actor=ADMIN, at=later, action="verified")
    theirs.change_status(
        Status.ARCHIVED, actor=Actor("platform_admin", "other"), at=later, action="archived"
    )

    save(mine)
    with pytest.raises(ConcurrentUpdate):
        save(theirs)

    stored = repo.get(report.tracking_id)
    assert stored.status is Status.AWAITING_FOLLOWUP
    assert stored.version == 2
    assert stored.event_count == 2
    timeline = repo.timeline(report.tracking_id)
    assert [(e.action, e.actor) for e in timeline] == [
        ("submitted", Actor("reporter")),
        ("verified", ADMIN),
    ]
    assert theirs.pending_events  # nothing was committed for the loser


def test_a_stale_version_alone_refuses_the_write_and_its_event(repo):
    """The version condition, not only the event's seq, guards the report: the loser's
    event gets a seq nobody used, and is still not stored."""
    report = new_report()
    repo.add_new(report, None)
    stale = repo.get(report.tracking_id)
    fresh = repo.get(report.tracking_id)
    fresh.change_status(Status.ARCHIVED, actor=ADMIN, at=T0, action="archived")
    save(fresh)
    stale.event_count = 5  # its next event (seq 6) collides with nothing stored
    stale.change_status(Status.AWAITING_FOLLOWUP, actor=ADMIN, at=T0, action="verified")

    with pytest.raises(ConcurrentUpdate):
        save(stale)

    assert [e.seq for e in repo.timeline(report.tracking_id)] == [1, 2]
    assert repo.get(report.tracking_id).status is Status.ARCHIVED


def test_save_changes_stores_status_agency_and_event(repo):
    from chalicelib.domain.report import AgencyRef

    report = new_report()
    repo.add_new(report, None)
    current = repo.get(report.tracking_id)
    current.agency = AgencyRef("kemenkes", "Kementerian Kesehatan")
    later = T0 + timedelta(days=1)
    current.change_status(Status.AWAITING_FOLLOWUP, actor=ADMIN, at=later, action="verified")

    save(current)

    stored = repo.get(report.tracking_id)
    assert stored == current
    assert stored.agency == AgencyRef("kemenkes", "Kementerian Kesehatan")
    assert stored.updated_at == later and stored.created_at == T0
    assert repo.timeline(report.tracking_id)[-1] == TimelineEvent(
        2, later, "verified", ADMIN, Status.UNVERIFIED, Status.AWAITING_FOLLOWUP
    )


def test_save_changes_for_a_report_that_does_not_exist_is_refused(repo):
    ghost = new_report()
    ghost.version = 1
    ghost.event_count = 1
    ghost.pending_events.clear()
    ghost.change_status(Status.ARCHIVED, actor=ADMIN, at=T0, action="archived")

    with pytest.raises(ConcurrentUpdate):
        save(ghost)

    with pytest.raises(ReportNotFound):
        repo.get(ghost.tracking_id)
    assert repo.timeline(ghost.tracking_id) == []


def test_acknowledge_takes_the_report_out_of_the_sparse_outbox_index(repo, aws, stack):
    at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    report = new_report(at=at)
    repo.add_new(report, None)
    cutoff = at + timedelta(seconds=1)
    assert report.tracking_id in repo.unacknowledged(older_than=cutoff, limit=1000)

    repo.acknowledge_submitted(report.tracking_id)

    assert report.tracking_id not in repo.unacknowledged(older_than=cutoff, limit=1000)
    raw = aws("dynamodb").get_item(
        TableName=stack.env["REPORTS_TABLE"],
        Key={"tracking_id": {"S": report.tracking_id}},
        ConsistentRead=True,
    )["Item"]
    assert "outbox" not in raw  # sparse: no attribute, so no index entry
    assert repo.get(report.tracking_id).status is Status.UNVERIFIED  # the report is intact


def test_acknowledge_an_unknown_report_raises_and_creates_nothing(repo):
    unknown = tracking_id.generate()
    with pytest.raises(ReportNotFound):
        repo.acknowledge_submitted(unknown)
    with pytest.raises(ReportNotFound):
        repo.get(unknown)


def test_unacknowledged_lists_only_reports_created_before_the_cutoff(repo):
    at = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)
    older = new_report(at=at)
    newer = new_report(at=at + timedelta(hours=1))
    repo.add_new(older, None)
    repo.add_new(newer, None)

    before_newer = repo.unacknowledged(older_than=at + timedelta(minutes=30), limit=1000)
    after_both = repo.unacknowledged(older_than=at + timedelta(hours=2), limit=1000)

    assert older.tracking_id in before_newer
    assert newer.tracking_id not in before_newer
    assert {older.tracking_id, newer.tracking_id} <= set(after_both)
    assert older.tracking_id not in repo.unacknowledged(older_than=at, limit=1000)  # strict
    assert len(repo.unacknowledged(older_than=at + timedelta(hours=2), limit=1)) == 1


def test_outbox_index_is_keys_only_on_outbox_and_created_at(aws, stack):
    table = aws("dynamodb").describe_table(TableName=stack.env["REPORTS_TABLE"])["Table"]

    (index,) = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "outbox"]
    assert index["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert {k["AttributeName"]: k["KeyType"] for k in index["KeySchema"]} == {
        "outbox": "HASH",
        "created_at": "RANGE",
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_acknowledging_keeps_the_version_so_a_stale_writer_still_loses(repo):
    """Model.update() would have set a missing version to 1: a redelivered report.submitted
    (acknowledged again after routing) must not rewind the optimistic lock."""
    report = new_report()
    repo.add_new(report, None)
    stale = repo.get(report.tracking_id)
    current = repo.get(report.tracking_id)
    current.record("routed", actor=ADMIN, at=T0)
    save(current, acknowledge=True)
    repo.acknowledge_submitted(report.tracking_id)  # the redelivery
    assert repo.get(report.tracking_id).version == 2
    stale.record("late", actor=ADMIN, at=T0)
    with pytest.raises(ConcurrentUpdate):
        save(stale)


def test_events_kept_for_another_try_are_due_at_once_and_cleared_by_a_save(repo):
    from chalicelib.domain.events import EventType, ReportEvent

    report = new_report()
    repo.add_new(report, None)
    first = ReportEvent(EventType.RESPONDED, report.tracking_id, T0, 2, "pemkot-bandung")
    second = ReportEvent(EventType.RATED, report.tracking_id, T0, 3, "pemkot-bandung", {"score": 4})
    repo.remember_unsent(report.tracking_id, [first], T0)
    repo.remember_unsent(report.tracking_id, [second], T0)  # appended, not replaced

    stored = repo.get(report.tracking_id)
    assert stored.unsent == (first, second)
    assert stored.version == 3  # a writer holding the old list loses
    assert report.tracking_id in repo.due(T0, 1000)

    stored.take_unsent()
    save(stored)
    assert repo.get(report.tracking_id).unsent == ()
    assert report.tracking_id not in repo.due(T0 + timedelta(days=365), 1000)
    with pytest.raises(ReportNotFound):
        repo.remember_unsent(tracking_id.generate(), [first], T0)


def test_the_verification_queue_pages_on_from_its_cursor_oldest_first(repo):
    from chalicelib.services.ports import InvalidCursor

    held = []
    for minutes in (2, 0, 1):  # filed out of order
        report = new_report(at=T0 - timedelta(days=3650, minutes=-minutes))
        repo.add_new(report, None)
        current = repo.get(report.tracking_id)
        current.hold_for_verification(actor=ADMIN, at=T0, rule="no-region", reason="no region")
        save(current)
        held.append((minutes, report.tracking_id))
    seen, cursor, pages = [], None, 0
    while True:
        page = repo.verification_page(2, cursor)
        assert len(page.items) <= 2
        seen += [r.tracking_id for r in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen))  # no report twice across pages
    ours = [tid for tid in seen if tid in dict((t, m) for m, t in held)]
    assert ours == [tid for _, tid in sorted(held)]  # oldest first
    with pytest.raises(InvalidCursor):
        repo.verification_page(2, "1#not-a-place#X")
