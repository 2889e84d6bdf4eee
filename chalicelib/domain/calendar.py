"""Working days and service-level deadlines (LAPOR!), counted in an Indonesian time zone.

A working day is a Monday to Friday that is neither a public holiday nor a joint leave day
("cuti bersama"); both come from the `holidays` package (categories "public" and
"government"), plus any extra dates a deployment adds.

Deadlines are instants: the END of the last working day, i.e. local 00:00 of the next
calendar day, returned as an aware UTC datetime. The day a clock starts never counts, so
`add_working_days(start, n)` ends with the n-th working day after the start's local date,
whatever the time of day (or kind of day) the start falls on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Jakarta"
EXTRA_HOLIDAY_NAME = "Libur tambahan"

_ONE_DAY = timedelta(days=1)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


class WorkingCalendar:
    def __init__(self, tz: str = DEFAULT_TZ, extra_holidays: Iterable[date] = ()) -> None:
        self.tz = ZoneInfo(tz)
        self.extra_holidays = frozenset(extra_holidays)
        # No years given: with expand=True (the default) the package fills in a year the
        # first time a date of that year is looked up, so a deadline may cross into the
        # next year. language="id" because otherwise the names follow the process locale.
        # Loaded on first use: most cold starts never count days. Indonesia's module
        # alone: holidays.country_holidays("ID") imports every country (~130 ms).
        from ..lazy import submodule_alone

        indonesia = submodule_alone("holidays.countries.indonesia")
        self._holidays = indonesia.Indonesia(categories=("public", "government"), language="id")

    # --- days ---

    def holiday_name(self, d: date) -> str | None:
        if d in self.extra_holidays:
            return EXTRA_HOLIDAY_NAME
        return self._holidays.get(d)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and self.holiday_name(d) is None

    def _local_date(self, at: datetime, name: str) -> date:
        _require_aware(at, name)
        return at.astimezone(self.tz).date()

    def _start_of(self, d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=self.tz).astimezone(UTC)

    def _end_of(self, d: date) -> datetime:
        return self._start_of(d + _ONE_DAY)

    def _last_day(self, deadline: datetime) -> date:
        # A deadline at local midnight belongs to the day that just ended.
        return self._local_date(deadline - timedelta(microseconds=1), "deadline")

    # --- deadlines ---

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The end of the n-th working day strictly after start's local date."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day = self._local_date(start, "start")
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return self._end_of(day)

    def working_days_left(self, now: datetime, deadline: datetime) -> int:
        """Working days after now's local date up to and including the deadline's last day.

        0 once the deadline has passed. While it is still ahead the answer is at least 1
        (the day in progress counts when nothing after it remains), so that a clock paused
        at P resumes at R with `add_working_days(R, working_days_left(P, deadline))`.
        """
        _require_aware(deadline, "deadline")
        today = self._local_date(now, "now")
        if deadline <= now:
            return 0
        last = self._last_day(deadline)
        left = 0
        day = today + _ONE_DAY
        while day <= last:
            left += self.is_working_day(day)
            day += _ONE_DAY
        return max(left, 1)

    def warning_at(self, deadline: datetime) -> datetime:
        """The start of the last working day before the deadline's own last day."""
        day = self._last_day(deadline) - _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return self._start_of(day)


@cache
def default_calendar() -> WorkingCalendar:
    return WorkingCalendar()


# --- service levels ---

_MIN_DAYS, _MAX_DAYS = 1, 60


@dataclass(frozen=True)
class ServiceLevels:
    """Working days allowed for each step of a report."""

    verify_days: int = 3
    first_response_days: int = 5
    completion_days: int = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            # bool is an int subclass; True must not pass as 1 day
            if type(value) is not int or not _MIN_DAYS <= value <= _MAX_DAYS:
                raise ValueError(
                    f"{f.name} must be an integer from {_MIN_DAYS} to {_MAX_DAYS}, got {value!r}"
                )

    @classmethod
    def for_report(
        cls,
        category_levels: Mapping[str, int] | None = None,
        agency_levels: Mapping[str, int] | None = None,
    ) -> ServiceLevels:
        """The defaults, overridden by the category's levels, overridden by the agency's."""
        known = {f.name for f in fields(cls)}
        levels = cls()
        for overrides in (category_levels, agency_levels):
            if not overrides:
                continue
            unknown = sorted(set(overrides) - known)
            if unknown:
                raise ValueError(f"unknown service levels: {', '.join(unknown)}")
            levels = replace(levels, **overrides)
        return levels
