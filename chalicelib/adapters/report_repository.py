"""Reports and their timelines in DynamoDB (PynamoDB)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain import views
from ..domain.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    Pause,
    instant_of,
    sort_key,
)
from ..domain.events import ReportEvent
from ..domain.report import (
    Actor,
    AgencyRef,
    Archival,
    ArchiveReason,
    Channel,
    Location,
    PublicResponse,
    Rating,
    Report,
    Reporter,
    ReportKind,
    RoutingNote,
    TimelineEvent,
    Visibility,
)
from ..domain.status import Status
from ..services.ports import (
    FeedFilters,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    InvalidCursor,
    Page,
    ReportNotFound,
    TrackingIdTaken,
)
from ..stats.standing import Standing, change_of, standing_of
from . import partitions
from .dynamodb_models import (
    ArchivalMap,
    DeadlineMap,
    FeedItem,
    IdempotencyItem,
    LocationMap,
    PauseMap,
    PublicResponseMap,
    RatingMap,
    ReporterMap,
    ReportEventItem,
    ReportItem,
    RoutingMap,
    shared_connection,
)


def _conditional_failures(error: TransactWriteError) -> list[bool]:
    return [
        reason is not None and reason.code == "ConditionalCheckFailed"
        for reason in (error.cancellation_reasons or [])
    ]


class DynamoReportRepository:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = shared_connection()
        return self._connection

    def add_new(self, report: Report, idempotency: IdempotencyRecord | None) -> None:
        item = _to_item(report)
        item.outbox = partitions.outbox_key(report.tracking_id)
        events, standing = event_items(report)
        # PynamoDB sends all puts in the order they are added: report, events, idempotency.
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.save(item, condition=ReportItem.tracking_id.does_not_exist())
                for event in events:
                    tx.save(event, condition=ReportEventItem.seq.does_not_exist())
                if idempotency:
                    tx.save(
                        IdempotencyItem(
                            idempotency.key,
                            fingerprint=idempotency.fingerprint,
                            tracking_id=idempotency.tracking_id,
                            created_at=idempotency.created_at,
                            expires_at=idempotency.expires_at,
                        ),
                        # An expired record (TTL deletes lazily) may be taken over.
                        condition=IdempotencyItem.key.does_not_exist()
                        | (IdempotencyItem.expires_at <= idempotency.created_at),
                    )
        except TransactWriteError as error:
            failed = _conditional_failures(error)
            if idempotency and len(failed) == len(events) + 2 and failed[-1]:
                raise IdempotencyKeyUsed(idempotency.key) from error
            if failed and failed[0]:
                raise TrackingIdTaken(report.tracking_id) from error
            raise
        self._after_commit(report, item, standing)

    @staticmethod
    def _after_commit(report: Report, item: ReportItem, standing) -> None:
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version = item.version
        report.stored_standing = standing

    def get(self, tracking_id: str) -> Report:
        try:
            item = ReportItem.get(tracking_id)
        except DoesNotExist:
            raise ReportNotFound(tracking_id) from None
        return _from_item(item)

    def get_many(self, tracking_ids: list[str]) -> list[Report]:
        """One BatchGetItem (PynamoDB retries unprocessed keys), in the order asked."""
        if len(tracking_ids) > 100:
            raise ValueError("at most 100 tracking ids at a time")
        found = {item.tracking_id: item for item in ReportItem.batch_get(tracking_ids)}
        return [_from_item(found[t]) for t in tracking_ids if t in found]

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        return [_from_event_item(e) for e in ReportEventItem.query(tracking_id)]

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return IdempotencyRecord(
            item.key, item.fingerprint, item.tracking_id, item.created_at, item.expires_at
        )

    def acknowledge_submitted(self, tracking_id: str) -> None:
        # The table-level update: Model.update() would also set a missing version to 1.
        self._update_unversioned(tracking_id, [ReportItem.outbox.remove()])

    def remember_unsent(self, tracking_id: str, events: list[ReportEvent], at: datetime) -> None:
        """Keep events whose handlers failed after their commit, and put the report in the
        scheduler's index at once. The version moves on, so that a writer holding the old
        list cannot overwrite it."""
        self._update_unversioned(
            tracking_id,
            [
                ReportItem.unsent.set(
                    (ReportItem.unsent | []).append([_event_json(e) for e in events])
                ),
                ReportItem.due_shard.set(partitions.due_key(tracking_id)),
                ReportItem.due_at.set(at),
                ReportItem.version.add(1),
            ],
        )

    def _update_unversioned(self, tracking_id: str, actions: list) -> None:
        try:
            # The model's table connection knows the schema (no DescribeTable); unlike
            # Model.update() it adds no version handling of its own.
            ReportItem._get_connection().update_item(
                tracking_id, actions=actions, condition=ReportItem.tracking_id.exists()
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ReportNotFound(tracking_id) from error
            raise

    def verification_queue(self, limit: int) -> list[Report]:
        return self.verification_page(limit, None).items

    def verification_page(self, limit: int, cursor: str | None) -> Page:
        """Reports waiting for an admin: transferred first, then oldest first, after the
        cursor (the last report's place in the queue). One query per shard, merged (the
        index projects every attribute: no read per report)."""
        after = queue_cursor(cursor)
        condition = ReportItem.queue_key > after if after else None
        items = []
        for partition in partitions.verification_partitions():
            items += list(
                ReportItem.verification_index.query(partition, condition, limit=limit + 1)
            )
        items.sort(key=lambda i: i.queue_key)
        more = len(items) > limit
        page = items[:limit]
        return Page(
            [_from_item(item) for item in page], page[-1].queue_key if more and page else None
        )

    def inbox(
        self,
        agencies: list[str],
        statuses: list[str],
        *,
        category: str | None,
        limit: int,
        after: str | None,
        before: str | None,
    ) -> tuple[list[Report], str | None]:
        """The agencies' reports in these statuses (and category), merged by (deadline,
        tracking id) over every shard, reading little more than a page whatever the
        table holds (``partitions.merged_page``)."""
        index = ReportItem.inbox_category_index if category else ReportItem.inbox_index

        def fetch(partition: str, chunk_after: str | None, n: int) -> list:
            start = max(filter(None, (after, chunk_after)), default=None)
            if start is not None and before is not None and start >= before:
                return []  # nothing can lie between (DynamoDB refuses such a range)
            if start is not None and before is not None:
                condition = ReportItem.inbox_sk.between(start + "\x00", before)
            elif start is not None:
                condition = ReportItem.inbox_sk > start
            elif before is not None:
                condition = ReportItem.inbox_sk < before
            else:
                condition = None
            return list(index.query(partition, range_key_condition=condition, limit=n))

        page, more = partitions.merged_page(
            fetch,
            partitions.inbox_partitions(agencies, statuses, category),
            limit,
            key=lambda item: item.inbox_sk,
        )
        next_key = page[-1].inbox_sk if more else None
        return [_from_item(i) for i in page], next_key

    def due(self, now: datetime, limit: int) -> list[str]:
        """Tracking ids with something for the scheduler to do by ``now``, earliest first
        per shard; never more than ``limit`` per shard."""
        found = []
        for partition in partitions.due_partitions():
            results = ReportItem.deadline_index.query(
                partition, range_key_condition=ReportItem.due_at <= now, limit=limit
            )
            found += [item.tracking_id for item in results]
        return found

    def unacknowledged(self, older_than: datetime, limit: int) -> list[str]:
        """Oldest first over every shard; at most ``limit``."""
        items = []
        for partition in partitions.outbox_partitions():
            items += list(
                ReportItem.outbox_index.query(
                    partition, range_key_condition=ReportItem.created_at < older_than, limit=limit
                )
            )
        items.sort(key=lambda i: i.created_at)
        return [item.tracking_id for item in items[:limit]]

    def feed(
        self, filters: FeedFilters, *, limit: int, after: str | None
    ) -> tuple[list[views.FeedEntry], str | None]:
        """Listed reports, newest first, from the feed index of the filter (one query per
        status and shard, merged lazily: a page reads little more than a page). The index
        holds only the entry's fields: nothing else of the report is read."""
        attribute, scope = feed_scope(filters)
        index = _FEED_INDEXES[attribute]

        def fetch(partition: str, chunk_after: str | None, n: int) -> list:
            start = min(filter(None, (after, chunk_after)), default=None)
            condition = FeedItem.feed_sk < start if start is not None else None
            return list(
                index.query(
                    partition, range_key_condition=condition, scan_index_forward=False, limit=n
                )
            )

        page, more = partitions.merged_page(
            fetch,
            partitions.feed_partitions(scope, list(filters.statuses)),
            limit,
            key=lambda item: item.feed_sk,
            descending=True,
        )
        next_key = page[-1].feed_sk if more else None
        return [_feed_entry_of(item) for item in page], next_key


FEED_ALL = "all"  # the unfiltered feed's scope


def feed_scope(filters: FeedFilters) -> tuple[str, str]:
    """The feed index key attribute that serves these filters, and the scope of its
    partitions (partitions.feed_key)."""
    if filters.agency_id:
        return "feed_agency_pk", filters.agency_id
    if filters.category:
        return "feed_category_pk", filters.category
    if filters.region and "." in filters.region:
        return "feed_regency_pk", filters.region
    if filters.region:
        return "feed_province_pk", filters.region
    return "feed_pk", FEED_ALL


_FEED_INDEXES = {
    "feed_pk": FeedItem.feed_index,
    "feed_agency_pk": FeedItem.agency_index,
    "feed_category_pk": FeedItem.category_index,
    "feed_province_pk": FeedItem.province_index,
    "feed_regency_pk": FeedItem.regency_index,
}


def _feed_entry_of(item: FeedItem) -> views.FeedEntry:
    created, _ = item.feed_sk.split("#")
    return views.FeedEntry(
        tracking_id=item.tracking_id,
        kind=ReportKind(item.kind),
        status=Status(item.status),
        category=item.category,
        region=item.feed_region,
        agency=AgencyRef(item.agency_id, item.agency_name or ""),
        anonymous=bool(item.anonymous),
        title=item.title,
        description=item.description,
        created_at=instant_of(created),
        updated_at=item.updated_at,
        responses=_responses_of(item.public_responses),
        response_count=int(item.public_response_count or 0),
    )


def _responses_of(maps) -> tuple[PublicResponse, ...]:
    return tuple(
        PublicResponse(AgencyRef(m.agency_id, m.agency_name), m.at, m.message, bool(m.final))
        for m in maps or ()
    )


def _to_item(report: Report) -> ReportItem:
    reporter = None
    if report.reporter:
        r = report.reporter
        reporter = ReporterMap(name=r.name, phone=r.phone, email=r.email, account=r.account)
    location = None
    if report.location:
        location = LocationMap(lat=report.location.lat, lon=report.location.lon)
    item = ReportItem(
        report.tracking_id,
        kind=report.kind.value,
        title=report.title,
        description=report.description,
        channel=report.channel.value,
        anonymous=report.anonymous,
        confidential=report.confidential,
        reporter=reporter,
        category=report.category,
        region=report.region,
        location=location,
        incident_date=report.incident_date.isoformat() if report.incident_date else None,
        language=report.language,
        status=report.status.value,
        agency_id=report.agency.id if report.agency else None,
        agency_name=report.agency.name if report.agency else None,
        created_at=report.created_at,
        updated_at=report.updated_at or report.created_at,
        access_token_hash=report.access_token_hash,
        event_count=report.event_count + len(report.pending_events),
        routing=RoutingMap(
            rule=report.routing.rule,
            reason=report.routing.reason,
            decided_at=report.routing.decided_at,
            decided_by=report.routing.decided_by,
            agency_id=report.routing.agency_id,
        )
        if report.routing
        else None,
        deadline=_deadline_map(report.deadline),
        paused=PauseMap(
            kind=report.paused.kind.value,
            working_days_left=report.paused.working_days_left,
            since=report.paused.since,
        )
        if report.paused
        else None,
        first_response_at=report.first_response_at,
        final_response_at=report.final_response_at,
        completed_at=report.completed_at,
        reopen_until=report.reopen_until,
        rating=RatingMap(
            score=report.rating.score, comment=report.rating.comment, at=report.rating.at
        )
        if report.rating
        else None,
        archival=ArchivalMap(
            reason=report.archival.reason.value,
            message=report.archival.message,
            at=report.archival.at,
        )
        if report.archival
        else None,
        duplicate_of=report.duplicate_of,
        duplicates=list(report.duplicates) or None,
        transferred_at=report.transferred_at,
        verified_at=report.verified_at,
        assigned_at=report.assigned_at,
        responded_on_time=report.responded_on_time,
        unsent=[_event_json(e) for e in report.unsent] or None,
        public_responses=[
            PublicResponseMap(
                agency_id=r.agency.id,
                agency_name=r.agency.name,
                at=r.at,
                message=r.message,
                final=r.final,
            )
            for r in report.public_responses
        ]
        or None,
        public_response_count=report.public_response_count or None,
        **index_keys(report),
    )
    if report.version is not None:
        item.version = report.version
    return item


def _event_json(event: ReportEvent) -> str:
    return json.dumps(event.to_dict(), separators=(",", ":"), sort_keys=True)


def _deadline_map(d: Deadline | None) -> DeadlineMap | None:
    if d is None:
        return None
    return DeadlineMap(kind=d.kind.value, due=d.due, warn_at=d.warn_at, state=d.state.value)


# A place in the verification queue (index_keys' queue_key): 0 (handed back) or 1, the time,
# the tracking id.
_QUEUE_CURSOR = re.compile(r"^[01]#[0-9TZ:.-]{20,32}#[0-9A-Z]{10}$")


def queue_cursor(cursor: str | None) -> str | None:
    """A verification-queue cursor as this repository issued it, or InvalidCursor."""
    if cursor is None:
        return None
    if not _QUEUE_CURSOR.match(cursor):
        raise InvalidCursor(cursor)
    return cursor


def index_keys(report: Report) -> dict:
    """The sparse index keys, derived from the report (never set by hand)."""
    keys = dict.fromkeys(
        ("verification", "queue_key", "inbox_pk", "inbox_cat_pk", "inbox_sk", "due_shard", "due_at")
    )
    if report.needs_verification:
        keys["verification"] = partitions.verification_key(report.tracking_id)
        # "0#" sorts before "1#": reports handed back by an agency come first.
        if report.transferred_at is not None:
            keys["queue_key"] = "0#" + sort_key(report.transferred_at) + "#" + report.tracking_id
        else:
            keys["queue_key"] = "1#" + sort_key(report.created_at) + "#" + report.tracking_id
    if report.agency is not None and report.status in (
        Status.AWAITING_FOLLOWUP,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    ):
        agency, status = report.agency.id, report.status.value
        keys["inbox_pk"] = partitions.inbox_key(agency, status, None, report.tracking_id)
        if report.category:
            keys["inbox_cat_pk"] = partitions.inbox_key(
                agency, status, report.category, report.tracking_id
            )
        # No deadline ("~" sorts after digits): after every report with one.
        when = report.deadline.due if report.deadline else None
        prefix = sort_key(when) if when else "~" + sort_key(report.updated_at or report.created_at)
        keys["inbox_sk"] = f"{prefix}#{report.tracking_id}"
    check = report.deadline.next_check() if report.deadline else None
    if report.unsent:  # events to pass on again: due at once
        check = min([e.at for e in report.unsent] + ([check] if check else []))
    if check is not None:
        keys["due_shard"] = partitions.due_key(report.tracking_id)
        keys["due_at"] = check
    keys.update(feed_keys(report))
    return keys


FEED_KEYS = (
    "feed_pk",
    "feed_agency_pk",
    "feed_category_pk",
    "feed_province_pk",
    "feed_regency_pk",
    "feed_sk",
    "feed_region",
)


def feed_keys(report: Report) -> dict:
    """The public feed's index keys (and the region it may show), set only while the
    report is listed (views.feed_entry). Derived from the entry, never from the report:
    an anonymous entry has no region, so no region index can find it."""
    keys = dict.fromkeys(FEED_KEYS)
    entry = views.feed_entry(report)
    if entry is None:
        return keys
    tid, status = entry.tracking_id, entry.status.value
    keys["feed_pk"] = partitions.feed_key(FEED_ALL, status, tid)
    keys["feed_agency_pk"] = partitions.feed_key(entry.agency.id, status, tid)
    if entry.category:
        keys["feed_category_pk"] = partitions.feed_key(entry.category, status, tid)
    if entry.region:
        keys["feed_province_pk"] = partitions.feed_key(entry.region[:2], status, tid)
        if "." in entry.region:
            keys["feed_regency_pk"] = partitions.feed_key(entry.region, status, tid)
    keys["feed_sk"] = f"{sort_key(entry.created_at)}#{tid}"
    keys["feed_region"] = entry.region
    return keys


# Every attribute a change may set or remove (keys, access token, creation data and the
# outbox flag are written once).
MUTABLE = (
    "title",
    "description",
    "status",
    "agency_id",
    "agency_name",
    "updated_at",
    "event_count",
    "routing",
    "deadline",
    "paused",
    "first_response_at",
    "final_response_at",
    "completed_at",
    "reopen_until",
    "rating",
    "archival",
    "duplicate_of",
    "duplicates",
    "transferred_at",
    "verified_at",
    "assigned_at",
    "responded_on_time",
    "unsent",
    "access_token_hash",
    "verification",
    "queue_key",
    "inbox_pk",
    "inbox_cat_pk",
    "inbox_sk",
    "due_shard",
    "due_at",
    # the public feed: the agency's responses kept on the report, and the feed's keys
    "public_responses",
    "public_response_count",
    *FEED_KEYS,
)


def update_actions(report: Report, *, acknowledge: bool = False) -> tuple[ReportItem, list]:
    item = _to_item(report)
    actions = []
    for name in MUTABLE:
        attribute = getattr(ReportItem, name)
        value = getattr(item, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    if acknowledge:
        actions.append(ReportItem.outbox.remove())
    return item, actions


def _from_item(item: ReportItem) -> Report:
    report = _report_of(item)
    report.stored_standing = standing_of(report)
    return report


def _report_of(item: ReportItem) -> Report:
    reporter = None
    if item.reporter is not None:
        reporter = Reporter(
            item.reporter.name, item.reporter.phone, item.reporter.email, item.reporter.account
        )
    location = None
    if item.location is not None:
        location = Location(float(item.location.lat), float(item.location.lon))
    agency = AgencyRef(item.agency_id, item.agency_name or "") if item.agency_id else None
    routing = None
    if item.routing is not None:
        r = item.routing
        routing = RoutingNote(r.rule, r.reason, r.decided_at, r.decided_by, r.agency_id)
    report = Report(
        tracking_id=item.tracking_id,
        kind=ReportKind(item.kind),
        title=item.title,
        description=item.description,
        channel=Channel(item.channel),
        anonymous=item.anonymous,
        confidential=item.confidential,
        created_at=item.created_at,
        access_token_hash=item.access_token_hash,
        reporter=reporter,
        category=item.category,
        region=item.region,
        location=location,
        incident_date=date.fromisoformat(item.incident_date) if item.incident_date else None,
        language=item.language or "id",
        status=Status(item.status),
        agency=agency,
        routing=routing,
        updated_at=item.updated_at,
        deadline=Deadline(
            DeadlineKind(item.deadline.kind),
            item.deadline.due,
            item.deadline.warn_at,
            DeadlineState(item.deadline.state),
        )
        if item.deadline is not None
        else None,
        paused=Pause(
            DeadlineKind(item.paused.kind), int(item.paused.working_days_left), item.paused.since
        )
        if item.paused is not None
        else None,
        first_response_at=item.first_response_at,
        final_response_at=item.final_response_at,
        completed_at=item.completed_at,
        reopen_until=item.reopen_until,
        rating=Rating(int(item.rating.score), item.rating.comment, item.rating.at)
        if item.rating is not None
        else None,
        archival=Archival(
            ArchiveReason(item.archival.reason), item.archival.message, item.archival.at
        )
        if item.archival is not None
        else None,
        duplicate_of=item.duplicate_of,
        duplicates=tuple(item.duplicates or ()),
        transferred_at=item.transferred_at,
        verified_at=item.verified_at,
        assigned_at=item.assigned_at,
        responded_on_time=item.responded_on_time,
        public_responses=_responses_of(item.public_responses),
        public_response_count=int(item.public_response_count or 0),
        unsent=tuple(ReportEvent.from_dict(json.loads(raw)) for raw in item.unsent or ()),
        event_count=int(item.event_count or 0),
        version=item.version,
    )
    return report


def event_items(report: Report) -> tuple[list[ReportEventItem], Standing]:
    """The items of the report's new timeline events, the last one carrying the change
    of the report's standing for the statistics (if it changed); and that standing."""
    items = [_event_item(report.tracking_id, e) for e in report.pending_events]
    if not items:
        return items, report.stored_standing
    last = report.pending_events[-1]
    change = change_of(report, report.stored_standing, last.seq, last.at)
    if change is None:
        return items, report.stored_standing
    items[-1].stats = change.encode()
    return items, change.after


def _event_item(tracking_id: str, event: TimelineEvent) -> ReportEventItem:
    return ReportEventItem(
        tracking_id,
        event.seq,
        at=event.at,
        action=event.action,
        actor_kind=event.actor.kind,
        actor_id=event.actor.id,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value,
        note=event.note,
        visibility=None if event.visibility is Visibility.PUBLIC else event.visibility.value,
    )


def _from_event_item(item: ReportEventItem) -> TimelineEvent:
    return TimelineEvent(
        seq=int(item.seq),
        at=item.at,
        action=item.action,
        actor=Actor(item.actor_kind, item.actor_id),
        from_status=Status(item.from_status) if item.from_status else None,
        to_status=Status(item.to_status),
        note=item.note,
        visibility=Visibility(item.visibility or "public"),
    )
