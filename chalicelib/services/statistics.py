"""Statistics use cases: the public indicators, the ranking, the executive dashboard, and
the hourly summaries. Everything is read from the read models (``stats/cells.py``): a
page costs a fixed number of items whatever the number of reports.

Per request: one Query of at most 31 day items (a month or the last 30 days) of one scope,
one GetItem of its gauges; a dashboard one Query of at most 56 day items per agency of its
tree (at most ``MAX_TREE``), one BatchGetItem of their gauges, the first page of its
overdue reports from the inbox index, and one or two summary items. What needs every
agency or every region at once (the ranking, the regions' totals, emerging issues) is
computed hourly by ``publish_summaries`` and read as one item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from ..domain import policy, regions
from ..domain.deadlines import sort_key
from ..domain.identity import Principal, Role
from ..stats import emerging, periods, ranking, suppression
from ..stats.cells import OPEN_STATUSES, agency_pk, national, province_pk
from ..stats.indicators import by_subscope, crossed, gauges, indicators, received_by, tally
from ..stats.periods import Period

MAX_TREE = 30  # agencies in one dashboard (its overdue list reads 8 inbox shards each)
OVERDUE_LIST = 20
TOP = 10
WEEKS = 8
EMERGING_LISTED = 200  # kept in the summary; a dashboard shows its first 20 relevant
EMERGING_SHOWN = 20
NATIONAL_NAME = "Indonesia"
# Overdue: the first response is late (once followed up, a report's deadline is the end of
# its completion window, which the scheduler closes itself).
OVERDUE_STATUSES = ("awaiting_followup",)


class StatsReader(Protocol):
    def days(self, pk: str, first: date, last: date) -> list[tuple[date, dict]]: ...

    def now(self, pks: list[str], attributes: list[str] | None = None) -> dict[str, dict]: ...

    def summary(self, name: str) -> dict | None: ...

    def put_summary(self, name: str, body: dict) -> None: ...


class UnknownScope(LookupError):
    """No such agency, category or region."""

    def __init__(self, kind: str, code: str):
        super().__init__(f"no {kind} {code!r}")
        self.kind = kind
        self.code = code


class NotComputed(LookupError):
    """The summary a page needs has not been computed (for that period)."""


class NotYourAgency(PermissionError):
    """An executive named an agency outside their agency's tree (or has none)."""


class TreeTooLarge(ValueError):
    """More sub-units than one dashboard reads: name one."""


def region_scope(code: str) -> tuple[str, str | None]:
    """(province, regency or None) of a province (``32``) or regency (``32.73``) code,
    dots optional; UnknownScope for anything else."""
    try:
        normal = regions.normalise_region_code(code)
    except ValueError:
        raise UnknownScope("region", code) from None
    if len(normal) == 2:
        return normal, None
    if len(normal) == 5:
        return normal[:2], normal
    raise UnknownScope("region", code)


def _rows(values: dict[str, int], hidden: set, key: Callable[[str], str], name) -> list[dict]:
    """Breakdown rows: the published ones by size (largest first), then the suppressed
    ones by code (their order must not hint at their size)."""
    shown = sorted(
        (c for c, n in values.items() if n > 0 and key(c) not in hidden),
        key=lambda c: (-values[c], c),
    )
    secret = sorted(c for c, n in values.items() if n > 0 and key(c) in hidden)
    out = [{"code": c, "name": name(c), "received": values[c], "suppressed": False} for c in shown]
    out += [{"code": c, "name": name(c), "received": None, "suppressed": True} for c in secret]
    return out


def _region_name(code: str) -> str | None:
    return regions.PROVINCES.get(code) if len(code) == 2 else None


def _coarse_region(code: str) -> str:
    """An agency's region breakdown is published no finer than the regency."""
    return code[:5] if len(code) > 5 else code


def _period_out(period: Period) -> dict:
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "closed": period.closed,
    }


@dataclass
class Statistics:
    reader: StatsReader
    directory: object
    clock: object
    time_zone: str = "Asia/Jakarta"

    # ------------------------------------------------------------ periods

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.time_zone)).date()

    def period(self, text: str | None) -> Period:
        return periods.parse(text, self.today())

    def _sum(self, pk: str, period: Period) -> Counter:
        return tally(c for _, c in self.reader.days(pk, period.start, period.end))

    def _category_name(self, code: str) -> str | None:
        category = self.directory.category(code)
        return category.name if category else None

    def _gauges(self, pk: str, subscope: str) -> dict:
        item = self.reader.now([pk], attributes=_gauge_names(subscope)).get(pk, {})
        return gauges(by_subscope(item).get(subscope, Counter()))

    def _page(self, kind, code, name, period, *, hidden, key, metrics, agency, gauges_of):
        page = {
            "scope": {"kind": kind, "id": code, "name": name},
            "period": _period_out(period),
            "threshold": suppression.THRESHOLD,
            "suppressed": key in hidden,
            "indicators": None,
            "now": None,
            "categories": None,
            "regions": None,
            "regions_by_category": None,
        }
        if not page["suppressed"]:
            page["indicators"] = indicators(metrics, agency=agency)
            page["now"] = gauges_of()
        return page

    # ------------------------------------------------------------ public pages

    def _national_table(self, period: Period):
        """The national figures, and which of its cells are hidden (the national page and
        every category's page decide with this one table)."""
        subscopes = by_subscope(self._sum(national(), period))
        categories = received_by(subscopes, "cat:")
        values = {"all": subscopes.get("all", Counter())["received"]}
        values |= {f"cat:{c}": n for c, n in categories.items()}
        lines = [suppression.line("all", [f"cat:{c}" for c in categories])]
        return subscopes, categories, suppression.suppressed(values, lines)

    def national(self, period: Period) -> dict:
        subscopes, categories, hidden = self._national_table(period)
        page = self._page(
            "national",
            None,
            NATIONAL_NAME,
            period,
            hidden=hidden,
            key="all",
            metrics=subscopes.get("all", Counter()),
            agency=False,
            gauges_of=lambda: self._gauges(national(), "all"),
        )
        if not page["suppressed"]:
            page["categories"] = _rows(
                categories, hidden, lambda c: f"cat:{c}", self._category_name
            )
        return page

    def category(self, code: str, period: Period) -> dict:
        category = self.directory.category(code)
        if category is None:
            raise UnknownScope("category", code)
        subscopes, _, hidden = self._national_table(period)
        return self._page(
            "category",
            code,
            category.name,
            period,
            hidden=hidden,
            key=f"cat:{code}",
            metrics=subscopes.get(f"cat:{code}", Counter()),
            agency=False,
            gauges_of=lambda: self._gauges(national(), f"cat:{code}"),
        )

    def region(self, code: str, period: Period) -> dict:
        province, regency = region_scope(code)
        subscopes = by_subscope(self._sum(province_pk(province), period))
        values, lines = province_table(subscopes)
        hidden = suppression.suppressed(values, lines)
        key = f"reg:{regency}" if regency else "all"
        name = regions.PROVINCES[province] if regency is None else None
        page = self._page(
            "region",
            regency or province,
            name,
            period,
            hidden=hidden,
            key=key,
            metrics=subscopes.get(key, Counter()),
            agency=False,
            gauges_of=lambda: self._gauges(
                national(), f"reg:{regency}" if regency else f"prov:{province}"
            ),
        )
        page["scope"]["province"] = {"code": province, "name": regions.PROVINCES[province]}
        if page["suppressed"]:
            return page
        cells = crossed(subscopes)
        if regency is None:
            page["categories"] = _rows(
                received_by(subscopes, "cat:"), hidden, lambda c: f"cat:{c}", self._category_name
            )
            page["regions"] = _rows(
                received_by(subscopes, "reg:"), hidden, lambda r: f"reg:{r}", _region_name
            )
            page["regions_by_category"] = [
                {
                    "region": r,
                    "category": c,
                    "received": None if f"reg:{r}:cat:{c}" in hidden else n,
                    "suppressed": f"reg:{r}:cat:{c}" in hidden,
                }
                for (r, c), n in sorted(cells.items())
                if n > 0
            ]
        else:
            mine = {c: n for (r, c), n in cells.items() if r == regency}
            page["categories"] = _rows(
                mine, hidden, lambda c: f"reg:{regency}:cat:{c}", self._category_name
            )
        return page

    def agency(self, agency_id: str, period: Period) -> dict:
        agency = self.directory.agency(agency_id)
        if agency is None:
            raise UnknownScope("agency", agency_id)
        subscopes = by_subscope(self._sum(agency_pk(agency_id), period))
        values, lines, categories, places = agency_table(subscopes)
        hidden = suppression.suppressed(values, lines)
        page = self._page(
            "agency",
            agency_id,
            agency.name,
            period,
            hidden=hidden,
            key="all",
            metrics=subscopes.get("all", Counter()),
            agency=True,
            gauges_of=lambda: self._gauges(agency_pk(agency_id), "all"),
        )
        page["scope"]["parent_id"] = agency.parent_id
        if not page["suppressed"]:
            page["categories"] = _rows(
                categories, hidden, lambda c: f"cat:{c}", self._category_name
            )
            page["regions"] = _rows(places, hidden, lambda r: f"reg:{r}", _region_name)
        return page

    def ranking(self, period: Period) -> dict:
        summary = self.reader.summary(f"period#{period.label}")
        if summary is None:
            raise NotComputed(period.label)
        return {
            "period": _period_out(period_from(summary["period"])),
            "computed_at": summary["computed_at"],
            "minimum_received": ranking.MINIMUM_RECEIVED,
            "threshold": suppression.THRESHOLD,
            "criteria": list(ranking.CRITERIA),
            "items": [
                {
                    "rank": r["rank"],
                    "ranked": r["ranked"],
                    "suppressed": r["suppressed"],
                    "score": r["score"],
                    "agency": r["agency"],
                    "indicators": r["indicators"],
                }
                for r in ranking.rank(summary["agencies"])
            ],
        }

    # ------------------------------------------------------------ the dashboard

    def dashboard_agencies(self, principal: Principal, wanted: str | None) -> list[str] | None:
        """The agencies a dashboard covers (the agency and its sub-units), None for the
        national one (platform admins who name no agency)."""
        known = self.directory.all_agencies()
        ids = {a.id for a in known}
        if principal.has_any(Role.PLATFORM_ADMIN):
            if wanted is None:
                return None
            if wanted not in ids:
                raise UnknownScope("agency", wanted)
            tree = policy.descendants(wanted, known)
        else:
            if not principal.agency_id:
                raise NotYourAgency("your account belongs to no agency")
            mine = policy.descendants(principal.agency_id, known)
            if wanted is not None and wanted not in mine:
                raise NotYourAgency("that agency is not yours or one of its sub-units")
            tree = policy.descendants(wanted or principal.agency_id, known)
        if len(tree) > MAX_TREE:
            raise TreeTooLarge(f"more than {MAX_TREE} agencies: name a sub-unit")
        return tree

    def dashboard(self, principal: Principal, wanted: str | None, period: Period, reports):
        tree = self.dashboard_agencies(principal, wanted)
        now = self.clock.now()
        weeks_from = periods.week_start(period.end) - timedelta(weeks=WEEKS - 1)
        first = min(period.start, weeks_from)
        if tree is None:
            return self._national_dashboard(period, first, weeks_from, now, reports)
        return self._agency_dashboard(tree, period, first, weeks_from, now, reports)

    def _weekly(self, days: Iterable[tuple[date, Counter]], weeks_from, last) -> list[dict]:
        weeks = {weeks_from + timedelta(weeks=n): Counter() for n in range(WEEKS)}
        for day, metrics in days:
            if weeks_from <= day <= last:
                weeks[periods.week_start(day)].update(metrics)
        return [
            {
                "week_start": start.isoformat(),
                "followed_up": m["followed_up"],
                "in_time": m["in_time"],
                "share": round(m["in_time"] / m["followed_up"], 4) if m["followed_up"] else None,
            }
            for start, m in sorted(weeks.items())
        ]

    def _top_categories(self, counts: Counter) -> list[dict]:
        return [
            {"code": c, "name": self._category_name(c), "received": n}
            for c, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:TOP]
            if n > 0
        ]

    def _agency_dashboard(self, tree, period, first, weeks_from, now, reports):
        known = {a.id: a for a in self.directory.all_agencies()}  # cached, unlike agency()
        root = known[tree[0]]
        per_day: list[tuple[date, Counter]] = []
        whole, categories, places = Counter(), Counter(), Counter()
        units = []
        gauges_by = self.reader.now([agency_pk(a) for a in tree])
        workload = Counter()
        for agency_id in tree:
            agency = known.get(agency_id)
            days = self.reader.days(agency_pk(agency_id), first, period.end)
            in_period = tally(c for d, c in days if d in period)
            subscopes = by_subscope(in_period)
            mine = subscopes.get("all", Counter())
            whole.update(mine)
            categories.update(received_by(subscopes, "cat:"))
            for code, n in received_by(subscopes, "reg:").items():
                places[_coarse_region(code)] += n
            per_day += [(d, by_subscope(c).get("all", Counter())) for d, c in days]
            now_gauges = gauges(by_subscope(gauges_by.get(agency_pk(agency_id), {})).get("all", {}))
            workload.update(_flat(now_gauges))
            units.append(
                {
                    "agency": _agency_ref(agency, agency_id),
                    "indicators": indicators(mine, agency=True),
                    "now": now_gauges,
                }
            )
        overdue, next_key = reports.inbox(
            list(tree),
            list(OVERDUE_STATUSES),
            category=None,
            limit=OVERDUE_LIST,
            after=None,
            before=sort_key(now),
        )
        summary = self.reader.summary("emerging")
        return {
            "scope": {"kind": "agency", "id": root.id, "name": root.name},
            "agencies": list(tree),
            "period": _period_out(period),
            "indicators": indicators(whole, agency=True),
            "now": _unflat(workload),
            "overdue": {"items": overdue, "more": next_key is not None},
            "service_level_weekly": self._weekly(per_day, weeks_from, period.end),
            "sub_units": units,
            "top_categories": self._top_categories(categories),
            "top_regions": [
                {"code": r, "name": _region_name(r), "received": n}
                for r, n in sorted(places.items(), key=lambda x: (-x[1], x[0]))[:TOP]
                if n > 0
            ],
            "emerging": self._emerging_for(summary, [known.get(a) for a in tree]),
        }

    def _national_dashboard(self, period, first, weeks_from, now, reports):
        days = self.reader.days(national(), first, period.end)
        subscopes = by_subscope(tally(c for d, c in days if d in period))
        item = self.reader.now([national()], attributes=_gauge_names("all"))
        now_gauges = gauges(by_subscope(item.get(national(), {})).get("all", Counter()))
        waiting = [
            r
            for r in reports.verification_queue(OVERDUE_LIST)
            if r.deadline is not None and r.deadline.due < now
        ]
        waiting.sort(key=lambda r: r.deadline.due)
        summary = self.reader.summary(f"period#{period.label}")
        units = top_regions = None
        if summary is not None:
            units = [
                {"agency": row["agency"], "indicators": row["indicators"], "now": None}
                for row in summary["agencies"]
                if not row["agency"].get("parent_id")
            ]
            top_regions = [
                {"code": p, "name": _region_name(p), "received": n}
                for p, n in sorted(summary["provinces"].items(), key=lambda x: (-x[1], x[0]))[:TOP]
                if n > 0
            ]
        return {
            "scope": {"kind": "national", "id": None, "name": NATIONAL_NAME},
            "agencies": None,
            "period": _period_out(period),
            "indicators": indicators(subscopes.get("all", Counter()), agency=False),
            "now": now_gauges,
            "overdue": {"items": waiting, "more": False},
            "service_level_weekly": self._weekly(
                [(d, by_subscope(c).get("all", Counter())) for d, c in days],
                weeks_from,
                period.end,
            ),
            "sub_units": units,
            "top_categories": self._top_categories(Counter(received_by(subscopes, "cat:"))),
            "top_regions": top_regions,
            "emerging": self._emerging_for(self.reader.summary("emerging"), None),
        }

    def _emerging_for(self, summary: dict | None, agencies) -> dict | None:
        """The emerging issues that concern these agencies (None: all of them): a cell in
        an agency's region (if it has one) and among its categories (if it lists any)."""
        if summary is None:
            return None
        items = summary["items"]
        if agencies is not None:
            items = [i for i in items if any(_concerns(a, i) for a in agencies if a)]
        return {
            "computed_at": summary["computed_at"],
            "rule": summary["rule"],
            "recent": summary["recent"],
            "baseline": summary["baseline"],
            "items": items[:EMERGING_SHOWN],
        }


def _concerns(agency, cell: dict) -> bool:
    region, categories = agency.region_code, tuple(agency.categories or ())
    if not region and not categories:
        return False
    if region and not (cell["region"] == region or cell["region"].startswith(region + ".")):
        return False
    return not categories or cell["category"] in categories


def _gauge_names(subscope: str) -> list[str]:
    return [f"{subscope}|open:{s}" for s in OPEN_STATUSES] + [f"{subscope}|overdue"]


def _flat(g: dict) -> Counter:
    return Counter({**{f"open:{s}": n for s, n in g["open"].items()}, "overdue": g["overdue"]})


def _unflat(c: Counter) -> dict:
    open_ = {s: c[f"open:{s}"] for s in OPEN_STATUSES}
    return {"open": {**open_, "total": sum(open_.values())}, "overdue": c["overdue"]}


def _agency_ref(agency, agency_id: str) -> dict:
    return {
        "id": agency_id,
        "name": agency.name if agency else agency_id,
        "parent_id": agency.parent_id if agency else None,
    }


def province_table(subscopes: dict[str, Counter]) -> tuple[dict, list]:
    """A province's published cells (received) and the lines that tie them: the province
    by regency and by category, each regency by category, each category by regency."""
    values = {"all": subscopes.get("all", Counter())["received"]}
    regencies = received_by(subscopes, "reg:")
    categories = received_by(subscopes, "cat:")
    cells = crossed(subscopes)
    values |= {f"reg:{r}": n for r, n in regencies.items()}
    values |= {f"cat:{c}": n for c, n in categories.items()}
    values |= {f"reg:{r}:cat:{c}": n for (r, c), n in cells.items()}
    lines = [
        suppression.line("all", [f"reg:{r}" for r in regencies]),
        suppression.line("all", [f"cat:{c}" for c in categories]),
    ]
    for r in regencies.keys() | {r for r, _ in cells}:
        lines.append(
            suppression.line(f"reg:{r}", [f"reg:{r}:cat:{c}" for (x, c) in cells if x == r])
        )
    for c in categories.keys() | {c for _, c in cells}:
        lines.append(
            suppression.line(f"cat:{c}", [f"reg:{r}:cat:{c}" for (r, x) in cells if x == c])
        )
    return values, lines


def agency_table(subscopes: dict[str, Counter]):
    """An agency's published cells: the agency, by category, by region (no finer than the
    regency)."""
    categories = received_by(subscopes, "cat:")
    places: Counter = Counter()
    for code, n in received_by(subscopes, "reg:").items():
        places[_coarse_region(code)] += n
    values = {"all": subscopes.get("all", Counter())["received"]}
    values |= {f"cat:{c}": n for c, n in categories.items()}
    values |= {f"reg:{r}": n for r, n in places.items()}
    lines = [
        suppression.line("all", [f"cat:{c}" for c in categories]),
        suppression.line("all", [f"reg:{r}" for r in places]),
    ]
    return values, lines, categories, dict(places)


def period_from(raw: dict) -> Period:
    return Period(
        raw["label"],
        date.fromisoformat(raw["start"]),
        date.fromisoformat(raw["end"]),
        raw["closed"],
    )


# ---------------------------------------------------------------- the hourly summaries


def reports_link(category: str, region: str) -> str:
    """The public feed filtered to one emerging cell (GET /v1/public/reports)."""
    return "/v1/public/reports?" + urlencode({"category": category, "region": region})


def publish_summaries(reader: StatsReader, directory, clock, time_zone: str) -> dict:
    """Compute what no request can read with a fixed number of items: per period (the
    last 30 days, this month, the previous month) every agency's indicators (the ranking)
    and every province's reports received; and emerging issues. One Query per agency and
    per province."""
    computed_at = clock.now()
    today = computed_at.astimezone(ZoneInfo(time_zone)).date()
    chosen = [periods.last30(today), periods.month_of(today, today), periods.previous_month(today)]
    recent_from = today - timedelta(days=emerging.RECENT_DAYS - 1)
    baseline_from = recent_from - timedelta(weeks=emerging.BASELINE_WEEKS)
    first = min([p.start for p in chosen] + [baseline_from])

    agencies: dict[str, list] = {p.label: [] for p in chosen}
    for agency in directory.all_agencies():
        days = reader.days(agency_pk(agency.id), first, today)
        for p in chosen:
            mine = by_subscope(tally(c for d, c in days if d in p)).get("all", Counter())
            if any(mine.values()):
                agencies[p.label].append(
                    {
                        "agency": _agency_ref(agency, agency.id),
                        "indicators": indicators(mine, agency=True),
                    }
                )

    provinces = {p.label: Counter() for p in chosen}
    recent, baseline = Counter(), Counter()
    for province in regions.PROVINCES:
        for day, counters in reader.days(province_pk(province), first, today):
            subscopes = by_subscope(counters)
            for p in chosen:
                if day in p:
                    provinces[p.label][province] += subscopes.get("all", Counter())["received"]
            window = recent if day >= recent_from else baseline if day >= baseline_from else None
            if window is not None:
                for (region, category), n in crossed(subscopes).items():
                    window[(category, region)] += n

    for p in chosen:
        reader.put_summary(
            f"period#{p.label}",
            {
                "computed_at": computed_at.isoformat(),
                "period": _period_out(p),
                "agencies": agencies[p.label],
                "provinces": dict(provinces[p.label]),
            },
        )
    found = emerging.detect(recent, baseline)
    reader.put_summary(
        "emerging",
        {
            "computed_at": computed_at.isoformat(),
            "rule": emerging.RULE,
            "recent": {"start": recent_from.isoformat(), "end": today.isoformat()},
            "baseline": {
                "start": baseline_from.isoformat(),
                "end": (recent_from - timedelta(days=1)).isoformat(),
            },
            "items": [
                {
                    "category": e.category,
                    "region": e.region,
                    "province": e.region[:2],
                    "recent": e.recent,
                    "baseline": e.baseline,
                    "expected": e.expected,
                    "p_value": e.p_value,
                    "links": {"reports": reports_link(e.category, e.region)},
                }
                for e in found[:EMERGING_LISTED]
            ],
        },
    )
    return {
        "periods": [p.label for p in chosen],
        "agencies": {p.label: len(agencies[p.label]) for p in chosen},
        "emerging": len(found),
    }
