"""The report a citizen files, and its timeline."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import InvalidTransition
from .status import Status, can_transition


class ReportKind(StrEnum):
    COMPLAINT = "complaint"
    ASPIRATION = "aspiration"
    INFORMATION_REQUEST = "information_request"


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    SMS = "sms"
    X = "x"
    FACEBOOK = "facebook"
    OPEN311 = "open311"


@dataclass(frozen=True)
class Reporter:
    """Who filed the report. Sensitive: see the privacy rules in DESIGN.md."""

    name: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class AgencyRef:
    id: str
    name: str


@dataclass(frozen=True)
class Actor:
    """Who caused a timeline event: ``reporter``, ``system`` or a staff role with an id."""

    kind: str
    id: str | None = None

    @classmethod
    def reporter(cls) -> Actor:
        return cls("reporter")

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls("system", name)


@dataclass(frozen=True)
class RoutingNote:
    """Why the report went where it went (or why it waits for an admin). Admins see it."""

    rule: str
    reason: str
    decided_at: datetime
    decided_by: str
    agency_id: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    at: datetime
    action: str
    actor: Actor
    from_status: Status | None
    to_status: Status
    note: str | None = None


@dataclass
class Report:
    tracking_id: str
    kind: ReportKind
    title: str
    description: str
    channel: Channel
    anonymous: bool
    confidential: bool
    created_at: datetime
    access_token_hash: str
    reporter: Reporter | None = None
    category: str | None = None
    region: str | None = None
    location: Location | None = None
    incident_date: date | None = None
    status: Status = Status.UNVERIFIED
    agency: AgencyRef | None = None
    routing: RoutingNote | None = None
    updated_at: datetime | None = None
    event_count: int = 0  # timeline events already stored
    version: int | None = None  # optimistic-locking version seen on read (None: new)
    pending_events: list[TimelineEvent] = field(default_factory=list, repr=False)

    @classmethod
    def submit(cls, *, at: datetime, **fields) -> Report:
        report = cls(created_at=at, updated_at=at, **fields)
        report._record(at, "submitted", Actor.reporter(), None, Status.UNVERIFIED)
        return report

    def change_status(
        self, to: Status, *, actor: Actor, at: datetime, action: str, note: str | None = None
    ) -> TimelineEvent:
        if not can_transition(self.status, to):
            raise InvalidTransition(self.status, to)
        previous, self.status, self.updated_at = self.status, to, at
        return self._record(at, action, actor, previous, to, note)

    def dispose(
        self, agency: AgencyRef, *, actor: Actor, at: datetime, rule: str, reason: str
    ) -> TimelineEvent:
        """Hand the report to the responsible agency (verification passed)."""
        event = self.change_status(
            Status.AWAITING_FOLLOWUP, actor=actor, at=at, action="disposed", note=f"{agency.name}"
        )
        self.agency = agency
        self.routing = RoutingNote(rule, reason, at, actor.id or actor.kind, agency.id)
        return event

    def hold_for_verification(
        self, *, actor: Actor, at: datetime, rule: str, reason: str
    ) -> TimelineEvent:
        """No confident route: the report waits in the admins' verification queue."""
        if self.status != Status.UNVERIFIED:
            raise InvalidTransition(self.status, Status.UNVERIFIED)
        self.routing = RoutingNote(rule, reason, at, actor.id or actor.kind)
        self.updated_at = at
        return self._record(at, "awaiting_verification", actor, self.status, self.status)

    @property
    def needs_verification(self) -> bool:
        return self.status == Status.UNVERIFIED and self.routing is not None

    def record(
        self, action: str, *, actor: Actor, at: datetime, note: str | None = None
    ) -> TimelineEvent:
        """A timeline event that leaves the status as it is (an attachment added...)."""
        self.updated_at = at
        return self._record(at, action, actor, self.status, self.status, note)

    def _record(self, at, action, actor, from_status, to_status, note=None) -> TimelineEvent:
        seq = self.event_count + len(self.pending_events) + 1
        event = TimelineEvent(seq, at, action, actor, from_status, to_status, note)
        self.pending_events.append(event)
        return event

    def without_pending(self) -> Report:
        return dataclasses.replace(self, pending_events=[])
