"""The DynamoDB unit of work: repositories stage their writes, ``commit`` sends them as
one TransactWriteItems. Every report write carries its optimistic-locking version, so a
lost race fails the whole transaction (``ConcurrentUpdate``) and nothing is half-done.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.attachment import Attachment, AttachmentStatus
from ..domain.deadlines import sort_key
from ..domain.errors import ConcurrentUpdate
from ..domain.events import ReportEvent
from ..domain.report import Report
from ..services.ports import AttachmentAlreadyDecided, IdentityAccess
from .attachment_repository import decision_actions
from .dynamodb_models import (
    AttachmentItem,
    IdentityAccessItem,
    ReportEventItem,
    ReportItem,
    shared_connection,
)
from .report_repository import (
    DynamoReportRepository,
    _conditional_failures,
    event_items,
    update_actions,
)

# PynamoDB sends a transaction's items grouped: condition checks, deletes, puts, updates;
# DynamoDB's cancellation reasons follow that order.
_SENT_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


@dataclass
class _Write:
    kind: str  # put | update (see _SENT_ORDER)
    stage: Callable[[TransactWrite], None]  # adds exactly one item to the transaction
    conflict: Callable[[], Exception]  # what its failed condition means


class DynamoUnitOfWork:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection
        self.reports = _StagedReports(self)
        self.attachments = _StagedAttachments(self)
        self.audit = _StagedAudit(self)
        self._writes: list[_Write] = []
        self._after: list[Callable[[], None]] = []
        self._seen: list[Report] = []

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = shared_connection()
        return self._connection

    def __enter__(self) -> DynamoUnitOfWork:
        return self

    def __exit__(self, *exc) -> None:
        self.rollback()

    def rollback(self) -> None:
        """Forget what was staged and not committed."""
        self._writes.clear()
        self._after.clear()

    def _stage(self, kind, stage, conflict, after=None) -> None:
        self._writes.append(_Write(kind, stage, conflict))
        if after is not None:
            self._after.append(after)

    def commit(self) -> None:
        if not self._writes:
            return
        writes = sorted(self._writes, key=lambda w: _SENT_ORDER[w.kind])
        try:
            with TransactWrite(connection=self.connection) as tx:
                for write in writes:
                    write.stage(tx)
        except TransactWriteError as error:
            failed = _conditional_failures(error)
            self.rollback()
            for write, refused in zip(writes, failed, strict=False):
                if refused:
                    raise write.conflict() from error
            raise
        for after in self._after:
            after()
        self.rollback()

    def collect_new_events(self) -> list[ReportEvent]:
        events = []
        for report in self._seen:
            events += report.events
            report.events.clear()
        return events


class _StagedReports:
    def __init__(self, uow: DynamoUnitOfWork):
        self._uow = uow
        self._reader = DynamoReportRepository()

    def __getattr__(self, name):  # reads go to the repository
        return getattr(self._reader, name)

    def get(self, tracking_id: str) -> Report:
        report = self._reader.get(tracking_id)
        self._uow._seen.append(report)
        return report

    def save(self, report: Report, *, acknowledge: bool = False) -> None:
        """Stage the report's changes and its new timeline events."""
        if report not in self._uow._seen:
            self._uow._seen.append(report)
        item, actions = update_actions(report, acknowledge=acknowledge)
        tracking_id = report.tracking_id
        event_items_, standing = event_items(report)
        for event_item in event_items_:
            self._uow._stage(
                "put",
                lambda tx, e=event_item: tx.save(e, condition=ReportEventItem.seq.does_not_exist()),
                lambda: ConcurrentUpdate(tracking_id),
            )
        pending = len(report.pending_events)

        def after() -> None:
            report.event_count += pending
            del report.pending_events[:pending]
            report.version = item.version
            report.stored_standing = standing

        # PynamoDB adds the version condition and the version increment.
        self._uow._stage(
            "update",
            lambda tx: tx.update(item, actions=actions, condition=ReportItem.tracking_id.exists()),
            lambda: ConcurrentUpdate(tracking_id),
            after,
        )


class _StagedAttachments:
    def __init__(self, uow: DynamoUnitOfWork):
        self._uow = uow

    def decide(self, attachment: Attachment) -> None:
        """Stage the slot's decision; only a pending slot may be decided."""
        self._uow._stage(
            "update",
            lambda tx: tx.update(
                AttachmentItem(attachment.tracking_id, attachment.id),
                actions=decision_actions(attachment),
                condition=AttachmentItem.status == AttachmentStatus.PENDING.value,
            ),
            lambda: AttachmentAlreadyDecided(attachment.id),
        )


class _StagedAudit:
    def __init__(self, uow: DynamoUnitOfWork):
        self._uow = uow

    def record(self, entry: IdentityAccess) -> None:
        """One log entry, readable per report and per month."""
        sk = sort_key(entry.at) + "#" + secrets.token_hex(4)
        for pk in (f"report#{entry.tracking_id}", f"all#{entry.at:%Y-%m}"):
            item = IdentityAccessItem(
                pk,
                sk,
                tracking_id=entry.tracking_id,
                admin=entry.admin,
                reason=entry.reason,
                at=entry.at,
            )
            self._uow._stage(
                "put",
                lambda tx, i=item: tx.save(i, condition=IdentityAccessItem.sk.does_not_exist()),
                lambda: ConcurrentUpdate(entry.tracking_id),
            )
