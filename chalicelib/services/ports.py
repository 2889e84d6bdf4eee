"""What the services need from the outside world; adapters and test fakes implement it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.report import Report, TimelineEvent


class TrackingIdTaken(Exception):
    """The generated tracking id already exists (the conditional write refused it)."""


class IdempotencyKeyUsed(Exception):
    """A report was already stored under this idempotency key."""


class ReportNotFound(Exception):
    pass


class InvalidCursor(ValueError):
    """A pagination cursor this API did not issue."""


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str
    tracking_id: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    scope: str
    name_en: str | None = None
    description: str | None = None
    auto_route: bool = True


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    type: str
    short_name: str | None = None
    parent_id: str | None = None
    region_code: str | None = None
    categories: tuple[str, ...] = ()
    email: str | None = None
    website: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


class ReportRepository(Protocol):
    def add_new(self, report: Report, idempotency: IdempotencyRecord | None) -> None:
        """Store a new report with its pending events (and idempotency record) atomically.

        Raises TrackingIdTaken or IdempotencyKeyUsed when a condition refuses the write.
        """

    def get(self, tracking_id: str) -> Report: ...

    def timeline(self, tracking_id: str) -> list[TimelineEvent]: ...

    def save_changes(self, report: Report) -> None:
        """Store status changes and pending events; ConcurrentUpdate if the version moved."""

    def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def acknowledge_submitted(self, tracking_id: str) -> None:
        """The router has the report: take it out of the outbox."""

    def unacknowledged(self, older_than: datetime, limit: int) -> list[str]:
        """Tracking ids whose ``report.submitted`` nobody acknowledged before ``older_than``."""


class EventPublisher(Protocol):
    def report_submitted(self, tracking_id: str, occurred_at: datetime) -> None: ...


class Directory(Protocol):
    def category(self, code: str) -> Category | None: ...

    def categories(self) -> list[Category]: ...

    def agencies(self, limit: int, cursor: str | None) -> Page: ...

    def agency(self, agency_id: str) -> Agency | None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
