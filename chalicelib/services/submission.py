"""Submit a report: validate against the directory, store atomically, announce it."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from ..domain import tracking_id as tracking_ids
from ..domain.calendar import WorkingCalendar
from ..domain.intake import InvalidReport, ReportDraft, check_draft
from ..domain.report import Report
from ..domain.status import Status
from . import access_tokens
from .ports import (
    Clock,
    Directory,
    EventPublisher,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    ReportRepository,
    TrackingIdTaken,
)
from .sla import sla_clock

log = logging.getLogger(__name__)

_MAX_ID_ATTEMPTS = 5


class UnknownCategory(Exception):
    def __init__(self, code: str):
        super().__init__(f"unknown category {code!r}")
        self.code = code


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request."""


__all__ = [
    "IdempotencyConflict",
    "InvalidReport",
    "SubmitReport",
    "Submitted",
    "UnknownCategory",
    "idempotency_record_key",
    "submit_report",
]


@dataclass(frozen=True)
class SubmitReport(ReportDraft):
    """The intake rules (``domain/intake.py``) apply to it in ``submit_report``."""

    def fingerprint(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Submitted:
    tracking_id: str
    access_token: str
    status: Status
    created_at: object
    replayed: bool = False


def idempotency_record_key(client_key: str) -> str:
    return "submit#" + hashlib.sha256(client_key.encode()).hexdigest()


def submit_report(
    command: SubmitReport,
    *,
    reports: ReportRepository,
    publisher: EventPublisher,
    directory: Directory,
    clock: Clock,
    token_secret: bytes,
    idempotency_key: str | None = None,
    idempotency_ttl: timedelta = timedelta(hours=24),
    new_tracking_id=tracking_ids.generate,
    calendar: WorkingCalendar | None = None,
    time_zone: str = "Asia/Jakarta",
) -> Submitted:
    """Raises InvalidReport (every rule the command breaks), UnknownCategory or
    IdempotencyConflict; nothing is stored then."""
    today = clock.now().astimezone(ZoneInfo(time_zone)).date()
    command = check_draft(command, today=today)
    if command.category is not None and directory.category(command.category) is None:
        raise UnknownCategory(command.category)

    now = clock.now()
    # The admins' verification deadline starts now (None without a calendar: tests).
    sla = sla_clock(directory, calendar, command.category) if calendar else None
    fingerprint = command.fingerprint()
    record_key = idempotency_record_key(idempotency_key) if idempotency_key else None

    for _ in range(_MAX_ID_ATTEMPTS):
        tracking_id = new_tracking_id()
        token = access_tokens.issue(token_secret, tracking_id, idempotency_key)
        report = Report.submit(
            at=now,
            sla=sla,
            tracking_id=tracking_id,
            access_token_hash=access_tokens.digest(token),
            **vars(command),
        )
        record = None
        if record_key:
            record = IdempotencyRecord(
                record_key, fingerprint, tracking_id, now, now + idempotency_ttl
            )
        try:
            reports.add_new(report, record)
        except TrackingIdTaken:
            log.warning("tracking id collision, drawing another")
            continue
        except IdempotencyKeyUsed:
            return _replay(
                command, record_key, fingerprint, idempotency_key, reports, clock, token_secret
            )
        break
    else:  # pragma: no cover - 5 collisions in a 1.4e13 space means a broken generator
        raise RuntimeError("could not allocate a unique tracking id")

    _announce(publisher, tracking_id, now)
    return Submitted(tracking_id, token, report.status, report.created_at)


def _replay(command, record_key, fingerprint, idempotency_key, reports, clock, token_secret):
    existing = reports.get_idempotency(record_key)
    if existing is None or existing.expires_at <= clock.now():
        # Expired between the write and this read: DynamoDB TTL deletes lazily.
        raise IdempotencyConflict("idempotency key expired; use a new key")
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict("idempotency key was used with a different request")
    report = reports.get(existing.tracking_id)
    token = access_tokens.issue(token_secret, report.tracking_id, idempotency_key)
    return Submitted(report.tracking_id, token, report.status, report.created_at, replayed=True)


def _announce(publisher: EventPublisher, tracking_id: str, at) -> None:
    """Publish report.submitted; a failure is not the citizen's problem.

    The report stays in the outbox until the router acknowledges it, and the sweeper
    re-publishes anything left there, so the report cannot be stranded.
    """
    try:
        publisher.report_submitted(tracking_id, at)
    except Exception:
        log.exception(
            "report.submitted not published; the sweeper will retry",
            extra={"tracking_id": tracking_id},
        )
