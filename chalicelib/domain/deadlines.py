"""Deadlines of an open report, in Indonesian working days (LAPOR!'s service levels).

- ``verification``: admins verify and dispose within 3 working days of submission (or of
  a transfer back to them);
- ``first_response``: the agency follows up within 5 working days of the disposition;
  a request for information pauses it until the reporter answers;
- ``completion``: 10 working days after the agency's final response the report is
  completed, unless the reporter replies or reopens first.

A verification or first-response deadline warns one working day before and is marked
overdue (with an escalation) once passed; the completion deadline completes the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from .calendar import ServiceLevels, WorkingCalendar

_SORT_KEY = "%Y-%m-%dT%H:%M:%S.%fZ"


def sort_key(at: datetime) -> str:
    """A UTC instant as a string that sorts like the instant (index keys, cursors)."""
    return at.astimezone(UTC).strftime(_SORT_KEY)


def instant_of(key: str) -> datetime:
    """The instant a ``sort_key`` stands for."""
    return datetime.strptime(key, _SORT_KEY).replace(tzinfo=UTC)


class DeadlineKind(StrEnum):
    VERIFICATION = "verification"
    FIRST_RESPONSE = "first_response"
    COMPLETION = "completion"


class DeadlineState(StrEnum):
    OPEN = "open"
    WARNED = "warned"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: datetime
    warn_at: datetime | None = None
    state: DeadlineState = DeadlineState.OPEN

    def next_check(self) -> datetime | None:
        """When the scheduler must look at the report next (None: nothing left to do)."""
        if self.kind is DeadlineKind.COMPLETION:
            return self.due
        if self.state is DeadlineState.OPEN:
            return self.warn_at or self.due
        if self.state is DeadlineState.WARNED:
            return self.due
        return None

    def is_overdue(self, now: datetime) -> bool:
        return self.kind is not DeadlineKind.COMPLETION and now >= self.due

    def marked(self, state: DeadlineState) -> Deadline:
        return replace(self, state=state)


@dataclass(frozen=True)
class Pause:
    """A deadline stopped while the agency waits for the reporter."""

    kind: DeadlineKind
    working_days_left: int
    since: datetime


@dataclass(frozen=True)
class SlaClock:
    """The calendar and the service levels that apply to one report."""

    calendar: WorkingCalendar
    levels: ServiceLevels = field(default_factory=ServiceLevels)

    def _deadline(self, kind: DeadlineKind, start: datetime, days: int) -> Deadline:
        due = self.calendar.add_working_days(start, days)
        warn = None if kind is DeadlineKind.COMPLETION else self.calendar.warning_at(due)
        if warn is not None and warn <= start:
            warn = None  # too short to warn ahead (a one-day level)
        return Deadline(kind, due, warn)

    def verification(self, start: datetime) -> Deadline:
        return self._deadline(DeadlineKind.VERIFICATION, start, self.levels.verify_days)

    def first_response(self, start: datetime) -> Deadline:
        return self._deadline(DeadlineKind.FIRST_RESPONSE, start, self.levels.first_response_days)

    def completion(self, start: datetime) -> Deadline:
        return self._deadline(DeadlineKind.COMPLETION, start, self.levels.completion_days)

    def reopen_until(self, completed_at: datetime) -> datetime:
        return self.calendar.add_working_days(completed_at, self.levels.completion_days)

    def pause(self, deadline: Deadline, at: datetime) -> Pause:
        left = max(1, self.calendar.working_days_left(at, deadline.due))
        return Pause(deadline.kind, left, at)

    def resume(self, pause: Pause, at: datetime) -> Deadline:
        return self._deadline(pause.kind, at, pause.working_days_left)
