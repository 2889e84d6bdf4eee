"""A report's deadline told in words for staff ("due in 2 working days", "overdue by 3
working days"), so that no colour has to carry the meaning. Counted in the same working
days (weekends and Indonesian public holidays skipped, Asia/Jakarta) as the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.calendar import WorkingCalendar
from .i18n import N_

_JUST_BEFORE = timedelta(microseconds=1)

# One message id for one day and one for several (Bahasa Indonesia has no plural).
WORDS = {
    ("due", True): N_("due in 1 working day"),
    ("due", False): N_("due in %(n)s working days"),
    ("today", True): N_("due today"),
    ("overdue_now", True): N_("overdue"),  # passed, but no working day since
    ("overdue", True): N_("overdue by 1 working day"),
    ("overdue", False): N_("overdue by %(n)s working days"),
    ("completes", True): N_("completes automatically in 1 working day"),
    ("completes", False): N_("completes automatically in %(n)s working days"),
    ("completes_today", True): N_("completes automatically today"),
    ("paused", True): N_("paused: waiting for the reporter's answer"),
    ("none", True): N_("no deadline running"),
}


@dataclass(frozen=True)
class DeadlineWords:
    state: str  # due, today, overdue, overdue_now, completes, completes_today, paused, none
    days: int
    due: datetime | None

    @property
    def message(self) -> str:
        """The message id to translate; ``%(n)s`` stands for ``days``."""
        return WORDS.get((self.state, self.days == 1)) or WORDS[(self.state, True)]

    @property
    def overdue(self) -> bool:
        return self.state in ("overdue", "overdue_now")


def describe(
    deadline, awaiting_reporter: bool, now: datetime, calendar: WorkingCalendar
) -> DeadlineWords:
    """``deadline``: anything with ``kind`` and ``due`` (the domain's or the API's)."""
    if deadline is None:
        return DeadlineWords("paused" if awaiting_reporter else "none", 0, None)
    due = deadline.due
    kind = getattr(deadline.kind, "value", deadline.kind)
    today = now.astimezone(calendar.tz).date()
    last_day = (due - _JUST_BEFORE).astimezone(calendar.tz).date()
    if kind == "completion":
        if last_day <= today:
            return DeadlineWords("completes_today", 0, due)
        return DeadlineWords("completes", calendar.working_days_left(now, due), due)
    if due <= now:
        late = calendar.working_days_between(due - _JUST_BEFORE, now)
        if late == 0:
            return DeadlineWords("overdue_now", 0, due)
        return DeadlineWords("overdue", late, due)
    if last_day == today:
        return DeadlineWords("today", 0, due)
    return DeadlineWords("due", calendar.working_days_left(now, due), due)
