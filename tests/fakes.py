"""In-memory fakes of the service ports, for fast unit tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.services.ports import (
    Agency,
    Category,
    IdempotencyKeyUsed,
    IdempotencyRecord,
    InvalidCursor,
    Page,
    ReportNotFound,
    TrackingIdTaken,
)


class FixedClock:
    def __init__(self, at: datetime | None = None):
        self.at = at or datetime(2026, 11, 27, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


class InMemoryReports:
    def __init__(self):
        self.reports = {}  # tracking_id -> (report copy, version)
        self.events = {}  # tracking_id -> list[TimelineEvent]
        self.idempotency = {}
        self.outbox = {}  # tracking_id -> created_at
        self.reads = 0

    def add_new(self, report, idempotency: IdempotencyRecord | None) -> None:
        if idempotency:
            existing = self.idempotency.get(idempotency.key)
            if existing and existing.expires_at > idempotency.created_at:
                raise IdempotencyKeyUsed(idempotency.key)
        if report.tracking_id in self.reports:
            raise TrackingIdTaken(report.tracking_id)
        if idempotency:
            self.idempotency[idempotency.key] = idempotency
        self.events[report.tracking_id] = list(report.pending_events)
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version = 1
        self.reports[report.tracking_id] = copy.deepcopy(report)
        self.outbox[report.tracking_id] = report.created_at

    def get(self, tracking_id):
        self.reads += 1
        try:
            return copy.deepcopy(self.reports[tracking_id])
        except KeyError:
            raise ReportNotFound(tracking_id) from None

    def timeline(self, tracking_id):
        return list(self.events.get(tracking_id, []))

    def save_changes(self, report) -> None:
        stored = self.reports.get(report.tracking_id)
        if stored is None or stored.version != report.version:
            raise ConcurrentUpdate(report.tracking_id)
        self.events[report.tracking_id] += report.pending_events
        report.event_count += len(report.pending_events)
        report.pending_events.clear()
        report.version += 1
        self.reports[report.tracking_id] = copy.deepcopy(report)

    def get_idempotency(self, key):
        return self.idempotency.get(key)

    def acknowledge_submitted(self, tracking_id) -> None:
        if tracking_id not in self.reports:
            raise ReportNotFound(tracking_id)
        self.outbox.pop(tracking_id, None)

    def unacknowledged(self, older_than, limit):
        due = sorted((at, tid) for tid, at in self.outbox.items() if at < older_than)
        return [tid for _, tid in due[:limit]]


class FakePublisher:
    def __init__(self):
        self.published: list[str] = []
        self.failing = False

    def report_submitted(self, tracking_id, occurred_at) -> None:
        if self.failing:
            raise ConnectionError("queue unavailable")
        self.published.append(tracking_id)


CATEGORIES = [
    Category("infrastruktur", "Infrastruktur", "regional", "Infrastructure"),
    Category("kesehatan", "Kesehatan", "regional", "Health"),
    Category("imigrasi", "Imigrasi", "national", "Immigration"),
]
AGENCIES = [
    Agency("kemenkes", "Kementerian Kesehatan", "ministry", categories=("kesehatan",)),
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        region_code="32.73",
        categories=("infrastruktur",),
    ),
    Agency("pln", "PT PLN (Persero)", "soe"),
]


class FakeDirectory:
    def __init__(self, categories=CATEGORIES, agencies=AGENCIES):
        self._categories = {c.code: c for c in categories}
        self._agencies = list(agencies)

    def category(self, code):
        return self._categories.get(code)

    def categories(self):
        return sorted(self._categories.values(), key=lambda c: c.name)

    def agencies(self, limit, cursor):
        start = 0
        if cursor:
            if not cursor.isdigit():
                raise InvalidCursor(cursor)
            start = int(cursor)
        items = self._agencies[start : start + limit]
        more = start + limit < len(self._agencies)
        return Page(items, str(start + limit) if more else None)

    def agency(self, agency_id):
        return next((a for a in self._agencies if a.id == agency_id), None)
