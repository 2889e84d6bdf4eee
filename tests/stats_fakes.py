"""Statistics cells made the way the projector makes them (``cells.deltas`` of synthetic
``StatEvent``s), and an in-memory statistics table that serves them."""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.stats import cells
from chalicelib.stats.standing import Standing, StatEvent

JAKARTA = timedelta(hours=7)
_ids = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Jakarta on ``day``, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=UTC) - JAKARTA


class Life:
    """One report's recorded changes, in order: ``Life(day).dispose(...).respond(...)``."""

    def __init__(self, day: date, category="infrastruktur", region="32.73", kind="complaint"):
        self.tracking_id = f"T{next(_ids):09d}"
        self.submitted_at = at(day, 9)
        self.category, self.region, self.kind = category, region, kind
        self.standing = Standing(status="unverified")
        self.events = [self._event(self.submitted_at, None, self.standing)]

    def _event(self, when, before, after) -> StatEvent:
        return StatEvent(
            self.tracking_id,
            len(getattr(self, "events", [])) + 1,
            when,
            self.category,
            self.region,
            self.kind,
            self.submitted_at,
            before,
            after,
        )

    def _to(self, when: datetime, **changes) -> Life:
        after = dataclasses.replace(self.standing, **changes)
        self.events.append(self._event(when, self.standing, after))
        self.standing = after
        return self

    def dispose(self, day: date, agency: str, hour: int = 11) -> Life:
        when = at(day, hour)
        return self._to(
            when,
            status="awaiting_followup",
            agency=agency,
            verified=True,
            assigned_at=when,
            first_response_at=None,
            on_time=None,
            overdue=False,
        )

    def archive(self, day: date) -> Life:
        return self._to(at(day, 11), status="archived")

    def overdue(self, day: date) -> Life:
        return self._to(at(day, 1), overdue=True)

    def respond(self, day: date, on_time: bool = True) -> Life:
        when = at(day, 14)
        return self._to(
            when, status="in_progress", first_response_at=when, on_time=on_time, overdue=False
        )

    def transfer(self, day: date) -> Life:
        return self._to(
            at(day, 15),
            status="unverified",
            agency=None,
            assigned_at=None,
            first_response_at=None,
            on_time=None,
            overdue=False,
        )

    def complete(self, day: date, rating: int | None = None) -> Life:
        when = at(day, 16)
        return self._to(when, status="completed", completed_at=when, rating=rating)


def cells_of(lives, calendar: WorkingCalendar | None = None) -> cells.Deltas:
    calendar = calendar or WorkingCalendar()
    out: cells.Deltas = {}
    for life in lives:
        for event in life.events:
            cells.combine(out, cells.deltas(event, calendar))
    return cells.prune(out)


class FakeStatsReader:
    """The statistics table in memory: ``{(pk, sk): Counter}`` plus summaries."""

    def __init__(self, table: cells.Deltas | None = None):
        self.table = {k: Counter(v) for k, v in (table or {}).items()}
        self.summaries: dict[str, dict] = {}
        self.items_read = 0
        self.queries: list[tuple] = []

    def load(self, table: cells.Deltas) -> None:
        for cell, counters in table.items():
            self.table.setdefault(cell, Counter()).update(counters)

    def days(self, pk, first, last):
        self.queries.append(("days", pk, first, last))
        found = sorted(
            (date.fromisoformat(sk[2:]), dict(c))
            for (p, sk), c in self.table.items()
            if p == pk and sk.startswith("d#") and first <= date.fromisoformat(sk[2:]) <= last
        )
        self.items_read += len(found)
        return found

    def now(self, pks, attributes=None):
        self.queries.append(("now", tuple(pks)))
        out = {}
        for pk in pks:
            item = self.table.get((pk, cells.NOW))
            if item is None:
                continue
            self.items_read += 1
            out[pk] = {k: v for k, v in item.items() if attributes is None or k in attributes}
        return out

    def summary(self, name):
        self.queries.append(("summary", name))
        found = self.summaries.get(name)
        if found is not None:
            self.items_read += 1
        return copy.deepcopy(found)

    def put_summary(self, name, body):
        import json

        self.summaries[name] = json.loads(json.dumps(body, default=str))
