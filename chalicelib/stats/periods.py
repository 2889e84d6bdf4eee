"""The periods statistics are published for: a calendar month or the last 30 days, in the
calendar's time zone (Asia/Jakarta). Pure Python, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

LAST30 = "last30"
LAST30_DAYS = 30
EARLIEST_MONTH = date(2000, 1, 1)  # nothing older can hold reports of this platform
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class BadPeriod(ValueError):
    """Not ``YYYY-MM`` (from 2000-01, not in the future) or ``last30``."""


@dataclass(frozen=True)
class Period:
    label: str  # "last30" or "YYYY-MM"
    start: date  # first day, inclusive
    end: date  # last day, inclusive (today for last30 and the running month)
    closed: bool  # a month that has ended: its day items no longer change

    def days(self) -> list[date]:
        return days_between(self.start, self.end)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def last30(today: date) -> Period:
    return Period(LAST30, today - timedelta(days=LAST30_DAYS - 1), today, closed=False)


def month(year: int, number: int, today: date) -> Period:
    start = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    last = following - timedelta(days=1)
    if start > today:
        raise BadPeriod(f"{start:%Y-%m} is in the future")
    if start < EARLIEST_MONTH:
        raise BadPeriod(f"months start at {EARLIEST_MONTH:%Y-%m}")
    closed = last < today
    return Period(f"{start:%Y-%m}", start, last if closed else today, closed)


def month_of(day: date, today: date) -> Period:
    return month(day.year, day.month, today)


def previous_month(today: date) -> Period:
    return month_of(today.replace(day=1) - timedelta(days=1), today)


def parse(text: str | None, today: date) -> Period:
    """``last30`` (the default) or ``YYYY-MM``; BadPeriod otherwise."""
    if text is None or text == LAST30:
        return last30(today)
    match = _MONTH.match(text)
    if not match:
        raise BadPeriod("expected last30 or a month as YYYY-MM")
    return month(int(match.group(1)), int(match.group(2)), today)


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())
