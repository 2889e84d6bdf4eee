"""The statistics' read model: counters in small items ("cells"), and what each recorded
change of a report's standing adds to them.

An item is one scope and one period: ``(pk, sk)`` with ``sk`` = ``d#YYYY-MM-DD`` (a day in
the calendar's time zone, Asia/Jakarta) or ``now`` (gauges: what is open or overdue right
now). Inside an item, a counter is the attribute ``<subscope>|<metric>``:

- ``nat``, day: national (``all``) and per category (``cat:<c>``);
- ``prov:<pp>``, day: the province (``all``), its regencies (``reg:<pp.rr>``), and the
  reports received per category in each (``cat:<c>``, ``reg:<pp.rr>:cat:<c>``);
- ``agency:<id>``, day: the agency (``all``), and what it received per category
  (``cat:<c>``) and regency, or province if no finer (``reg:<code>``);
- ``nat``, now: open reports by status and overdue, national (``all``), per category,
  province (``prov:<pp>``) and regency (``reg:<pp.rr>``);
- ``agency:<id>``, now: its open reports by status and overdue (``all``).

A month or the last 30 days is the sum of its day items (one query of at most 31 items);
medians come from per-day histograms of whole working days, so they are exact.

Flows (day items, dated by the day the change happened):
``received`` (submitted; for an agency: assigned to it), ``verified`` (first disposed),
``archived``, ``followed_up`` (first response of an assignment), ``in_time`` (of which
within the service level), ``frd:<n>`` (working days from the assignment to the first
response), ``completed``, ``cd:<n>`` (working days from the assignment, or the submission
if never assigned, to completion), ``reopened``, ``transferred_away`` (agency: left it),
``rated`` and ``score:<1-5>`` (a rating counts when final: at completion, or when given
after it). Gauges (now items): ``open:<status>`` and ``overdue``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from ..domain.calendar import WorkingCalendar
from .standing import Standing, StatEvent

NOW = "now"
OPEN_STATUSES = ("unverified", "awaiting_followup", "in_progress")
HISTOGRAM_CAP = 60  # working days; the last bucket holds everything from 60 on

Cell = tuple[str, str]  # (pk, sk)
Deltas = dict[Cell, Counter]

FLOW_METRICS = (
    "received",
    "verified",
    "archived",
    "followed_up",
    "in_time",
    "completed",
    "reopened",
    "transferred_away",
    "rated",
)


def day_key(day) -> str:
    return f"d#{day.isoformat()}"


def national() -> str:
    return "nat"


def province_pk(province: str) -> str:
    return f"prov:{province}"


def agency_pk(agency_id: str) -> str:
    return f"agency:{agency_id}"


def attr(subscope: str, metric: str) -> str:
    return f"{subscope}|{metric}"


def province_of(region: str | None) -> str | None:
    return region[:2] if region else None


def regency_of(region: str | None) -> str | None:
    """The regency/city code (``pp.rr``) of a region code finer than a province."""
    if not region or len(region) < 5:
        return None
    return region[:5]


def bucket(days: int) -> int:
    return max(0, min(days, HISTOGRAM_CAP))


def deltas(event: StatEvent, calendar: WorkingCalendar) -> Deltas:
    """What one recorded change adds to the cells (zero counters left out)."""
    out: Deltas = {}
    _flows(event, calendar, out)
    _gauges(event, out)
    return prune(out)


def combine(into: Deltas, more: Deltas) -> Deltas:
    for cell, counters in more.items():
        into.setdefault(cell, Counter()).update(counters)
    return into


def prune(cells: Deltas) -> Deltas:
    """Without the counters that cancelled out."""
    pruned = {}
    for cell, counters in cells.items():
        kept = Counter({k: v for k, v in counters.items() if v})
        if kept:
            pruned[cell] = kept
    return pruned


# ----------------------------------------------------------------- flows


def _add(out: Deltas, cell: Cell, subscopes: Iterable[str], metric: str, n: int = 1) -> None:
    counters = out.setdefault(cell, Counter())
    for subscope in subscopes:
        counters[attr(subscope, metric)] += n


class _Report:
    """Where one report's flows go on one day."""

    def __init__(self, event: StatEvent, day: str):
        self.day = day
        self.category = event.category
        self.province = province_of(event.region)
        self.regency = regency_of(event.region)
        self.region = event.region

    def national(self, out: Deltas, metric: str, n: int = 1) -> None:
        subscopes = ["all"] + ([f"cat:{self.category}"] if self.category else [])
        _add(out, (national(), self.day), subscopes, metric, n)
        if self.province:
            regional = ["all"] + ([f"reg:{self.regency}"] if self.regency else [])
            _add(out, (province_pk(self.province), self.day), regional, metric, n)
            if metric == "received" and self.category:
                crossed = [f"cat:{self.category}"]
                if self.regency:
                    crossed.append(f"reg:{self.regency}:cat:{self.category}")
                _add(out, (province_pk(self.province), self.day), crossed, metric, n)

    def agency(self, out: Deltas, agency_id: str, metric: str, n: int = 1) -> None:
        subscopes = ["all"]
        if metric == "received":
            subscopes += [f"cat:{self.category}"] if self.category else []
            place = self.regency or self.province  # never finer than the regency
            subscopes += [f"reg:{place}"] if place else []
        _add(out, (agency_pk(agency_id), self.day), subscopes, metric, n)

    def both(self, out: Deltas, agency_id: str | None, metric: str, n: int = 1) -> None:
        self.national(out, metric, n)
        if agency_id:
            self.agency(out, agency_id, metric, n)


def _flows(event: StatEvent, calendar: WorkingCalendar, out: Deltas) -> None:
    day = day_key(event.at.astimezone(calendar.tz).date())
    report = _Report(event, day)
    before, after = event.before, event.after
    if before is None:
        report.national(out, "received")
        before = Standing(status="new")
    if after.verified and not before.verified:
        report.national(out, "verified")
    if after.status == "archived" and before.status != "archived":
        report.national(out, "archived")
    if after.agency and after.agency != before.agency:
        report.agency(out, after.agency, "received")
    if before.agency and before.agency != after.agency:
        report.agency(out, before.agency, "transferred_away")
    first_response = after.first_response_at and (
        not before.first_response_at or before.agency != after.agency
    )
    if first_response and after.agency:
        report.both(out, after.agency, "followed_up")
        if after.on_time:
            report.both(out, after.agency, "in_time")
        start = after.assigned_at or event.submitted_at
        days = calendar.working_days_between(start, after.first_response_at)
        report.both(out, after.agency, f"frd:{bucket(days)}")
    completed_now = after.status == "completed" and before.status != "completed"
    if completed_now:
        report.both(out, after.agency, "completed")
        start = after.assigned_at or event.submitted_at
        days = calendar.working_days_between(start, after.completed_at or event.at)
        report.both(out, after.agency, f"cd:{bucket(days)}")
    if before.status == "completed" and after.status != "completed":
        report.both(out, after.agency or before.agency, "reopened")
    rated_now = after.status == "completed" and after.rating is not None
    if rated_now and (completed_now or before.rating is None):
        report.both(out, after.agency, "rated")
        report.both(out, after.agency, f"score:{after.rating}")


# ----------------------------------------------------------------- gauges


def contribution(event: StatEvent, standing: Standing | None) -> Deltas:
    """What a report in this standing adds to the gauges (open and overdue, right now)."""
    out: Deltas = {}
    if standing is None or standing.status not in OPEN_STATUSES:
        return out
    subscopes = ["all"]
    if event.category:
        subscopes.append(f"cat:{event.category}")
    province, regency = province_of(event.region), regency_of(event.region)
    if province:
        subscopes.append(f"prov:{province}")
    if regency:
        subscopes.append(f"reg:{regency}")
    metrics = [f"open:{standing.status}"] + (["overdue"] if standing.overdue else [])
    for metric in metrics:
        _add(out, (national(), NOW), subscopes, metric)
        if standing.agency:
            _add(out, (agency_pk(standing.agency), NOW), ["all"], metric)
    return out


def _gauges(event: StatEvent, out: Deltas) -> None:
    combine(out, contribution(event, event.after))
    for cell, counters in contribution(event, event.before).items():
        out.setdefault(cell, Counter()).subtract(counters)


def day_of(at: datetime, calendar: WorkingCalendar) -> str:
    return day_key(at.astimezone(calendar.tz).date())
