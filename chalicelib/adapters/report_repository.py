"""Reports and their timelines in DynamoDB (PynamoDB)."""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.errors import ConcurrentUpdate
from ..domain.report import (
    Actor,
    AgencyRef,
    Channel,
    Location,
    Report,
    Reporter,
    ReportKind,
    RoutingNote,
    TimelineEvent,
)
from ..domain.status import Status
from ..services.ports import (
    IdempotencyKeyUsed,
    IdempotencyRecord,
    ReportNotFound,
    TrackingIdTaken,
)
from .dynamodb_models import (
    OUTBOX_PENDING,
    VERIFICATION_PENDING,
    IdempotencyItem,
    LocationMap,
    ReporterMap,
    ReportEventItem,
    ReportItem,
    RoutingMap,
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
            self._connection = Connection(region=ReportItem.Meta.region)
        return self._connection

    def add_new(self, report: Report, idempotency: IdempotencyRecord | None) -> None:
        item = _to_item(report)
        item.outbox = OUTBOX_PENDING
        events = [_event_item(report.tracking_id, e) for e in report.pending_events]
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
        self._after_commit(report, item)

    @staticmethod
    def _after_commit(report: Report, item: ReportItem) -> None:
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version = item.version

    def get(self, tracking_id: str) -> Report:
        try:
            item = ReportItem.get(tracking_id)
        except DoesNotExist:
            raise ReportNotFound(tracking_id) from None
        return _from_item(item)

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        return [_from_event_item(e) for e in ReportEventItem.query(tracking_id)]

    def save_changes(self, report: Report, *, acknowledge: bool = False) -> None:
        """Status, agency, routing and new timeline events in one transaction, only if
        nobody changed the report since it was read. ``acknowledge`` also takes it out of
        the outbox (the router has handled report.submitted)."""
        item = _to_item(report)
        actions = [
            ReportItem.status.set(report.status.value),
            ReportItem.updated_at.set(report.updated_at),
            ReportItem.event_count.set(report.event_count + len(report.pending_events)),
        ]
        if report.agency:
            actions += [
                ReportItem.agency_id.set(report.agency.id),
                ReportItem.agency_name.set(report.agency.name),
            ]
        else:
            actions += [ReportItem.agency_id.remove(), ReportItem.agency_name.remove()]
        if report.routing:
            actions.append(ReportItem.routing.set(item.routing))
        if report.needs_verification:
            actions.append(ReportItem.verification.set(VERIFICATION_PENDING))
        else:
            actions.append(ReportItem.verification.remove())
        if acknowledge:
            actions.append(ReportItem.outbox.remove())
        try:
            with TransactWrite(connection=self.connection) as tx:
                for event in report.pending_events:
                    tx.save(
                        _event_item(report.tracking_id, event),
                        condition=ReportEventItem.seq.does_not_exist(),
                    )
                tx.update(item, actions=actions, condition=ReportItem.tracking_id.exists())
        except TransactWriteError as error:
            if any(_conditional_failures(error)):
                raise ConcurrentUpdate(report.tracking_id) from error
            raise
        self._after_commit(report, item)

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return IdempotencyRecord(
            item.key, item.fingerprint, item.tracking_id, item.created_at, item.expires_at
        )

    def acknowledge_submitted(self, tracking_id: str) -> None:
        item = ReportItem(tracking_id)
        try:
            item.update(
                actions=[ReportItem.outbox.remove()],
                condition=ReportItem.tracking_id.exists(),
                add_version_condition=False,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ReportNotFound(tracking_id) from error
            raise

    def verification_queue(self, limit: int) -> list[str]:
        """Tracking ids waiting for an admin, oldest first."""
        results = ReportItem.verification_index.query(VERIFICATION_PENDING, limit=limit)
        return [item.tracking_id for item in results]

    def unacknowledged(self, older_than: datetime, limit: int) -> list[str]:
        results = ReportItem.outbox_index.query(
            OUTBOX_PENDING,
            range_key_condition=ReportItem.created_at < older_than,
            limit=limit,
        )
        return [item.tracking_id for item in results]


def _to_item(report: Report) -> ReportItem:
    reporter = None
    if report.reporter:
        r = report.reporter
        reporter = ReporterMap(name=r.name, phone=r.phone, email=r.email)
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
    )
    if report.version is not None:
        item.version = report.version
    return item


def _from_item(item: ReportItem) -> Report:
    reporter = None
    if item.reporter is not None:
        reporter = Reporter(item.reporter.name, item.reporter.phone, item.reporter.email)
    location = None
    if item.location is not None:
        location = Location(float(item.location.lat), float(item.location.lon))
    agency = AgencyRef(item.agency_id, item.agency_name or "") if item.agency_id else None
    routing = None
    if item.routing is not None:
        r = item.routing
        routing = RoutingNote(r.rule, r.reason, r.decided_at, r.decided_by, r.agency_id)
    return Report(
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
        status=Status(item.status),
        agency=agency,
        routing=routing,
        updated_at=item.updated_at,
        event_count=int(item.event_count or 0),
        version=item.version,
    )


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
    )
