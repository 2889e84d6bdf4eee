"""The executive dashboard (``/staf/dasbor``): the same service and the same rules as
``GET /v1/dashboard`` (executives: their agency and its sub-units, or one sub-unit;
platform admins: the nation or any agency), for a period, drawn as charts that carry
their numbers in tables too (``charts.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from chalice import Response

from .. import bootstrap
from ..api.path_params import AGENCY_ID
from ..domain import policy, regions
from ..domain.identity import Principal, Role
from ..services.statistics import MAX_TREE, NotYourAgency, TreeTooLarge, UnknownScope
from ..stats.cells import OPEN_STATUSES
from . import charts, choices, deadline_text, i18n, labels, period_picker
from .i18n import N_
from .pages import Page
from .staff_pages import EXECUTIVES, render_staff

_AGENCY_ID = re.compile(AGENCY_ID)
NO_SUCH_AGENCY = N_("There is no such agency. Choose one from the list.")
NOT_YOURS = N_("That agency is not yours or one of its sub-units. Choose one from the list.")
NO_AGENCY = N_(
    "Your account belongs to no agency, so it has no dashboard. Ask a platform administrator."
)
TOO_BROAD = N_("This agency has more than %(n)s sub-units: choose one of them.")
NATIONWIDE = N_("Nationwide")


@dataclass(frozen=True)
class Shown:
    """One chart and what its table says."""

    svg: object  # Markup
    rows: list


def dashboard(page: Page) -> Response:
    who = page.staff(*EXECUTIVES)
    stats = bootstrap.statistics()
    chosen = period_picker.choose(stats, page.query("period"), page.gettext)
    wanted = (page.query("agency") or "").strip() or None
    offered = agency_choices(who, page)
    status, error, out = 200, None, None
    try:
        if wanted is not None and not _AGENCY_ID.match(wanted):
            raise UnknownScope("agency", wanted[:64])
        out = stats.dashboard(who, wanted, chosen.period, bootstrap.reports())
    except UnknownScope:
        status, error = 404, page.gettext(NO_SUCH_AGENCY)
    except NotYourAgency:
        status = 403
        error = page.gettext(NOT_YOURS if who.agency_id else NO_AGENCY)
    except TreeTooLarge:
        status, error = 422, page.gettext(TOO_BROAD) % {"n": MAX_TREE}
    if chosen.error and status == 200:
        status = 400
    query = {"period": chosen.query, "agency": wanted if out is not None else None}
    here = {"name": "staff_dashboard", "query": {k: v for k, v in query.items() if v}}
    return render_staff(
        page,
        "dashboard.html",
        status,
        chosen=chosen,
        agency_error=error,
        problems={k: v for k, v in (("agency", error), ("period", chosen.error)) if v},
        agencies=offered,
        wanted=wanted if out is not None else None,
        dash=out,
        view=_view(page, out) if out is not None else None,
        here=here,
    )


def agency_choices(who: Principal, page: Page) -> list[tuple[str, str]]:
    """What the agency picker offers: ("", the default) first. A platform admin: the
    nation, then every agency; an executive: their agency, then its sub-units (none when
    it has none)."""
    known = bootstrap.directory().all_agencies()
    names = {a.id: a.name for a in known}
    if who.has_any(Role.PLATFORM_ADMIN):
        rest = sorted((a for a in known if a.active), key=lambda a: a.name.casefold())
        return [("", page.gettext(NATIONWIDE))] + [(a.id, a.name) for a in rest]
    if not who.agency_id or who.agency_id not in names:
        return []
    tree = policy.descendants(who.agency_id, known)
    if len(tree) == 1:
        return []
    return [("", names[tree[0]])] + [(a, names.get(a, a)) for a in tree[1:]]


# ---------------------------------------------------------------- what the page shows


def _view(page: Page, out: dict) -> dict:
    _ = page.gettext
    lang = page.lang
    directory = bootstrap.directory()
    categories = {c.code: c for c in directory.categories()}
    regencies = {r.code: r.name for group in choices.regencies(directory).values() for r in group}

    def number(v, decimals=0):
        return i18n.format_number(v, lang, decimals)

    def category_name(code):
        c = categories.get(code)
        if c is None:
            return code
        return (c.name_en or c.name) if lang == "en" else c.name

    def region_name(code):
        if len(code) == 2:
            return regions.PROVINCES.get(code, code)
        return regencies.get(code, code)

    now = bootstrap.clock().now()
    return {
        "workload": _workload(out, _, number),
        "weekly": _weekly(out, _, lang),
        "emerging": _emerging(out, _, number, category_name, region_name),
        "top_categories": _top(
            "top-categories",
            _("Topics with the most reports"),
            [(category_name(r["code"]), r["received"]) for r in out["top_categories"] or []],
            _,
            number,
        ),
        "top_regions": _top(
            "top-regions",
            _("Places with the most reports"),
            [(region_name(r["code"]), r["received"]) for r in out["top_regions"] or []],
            _,
            number,
        ),
        "overdue": [
            _overdue_row(r, now, category_name, bootstrap.get("calendar"))
            for r in out["overdue"]["items"]
        ],
        "region_name": region_name,
        "category_name": category_name,
    }


def _workload(out: dict, _, number) -> Shown:
    gauges = out["now"]
    statuses = OPEN_STATUSES  # unverified, awaiting follow-up, in progress
    if out["scope"]["kind"] != "national":  # an agency's reports are verified already
        statuses = statuses[1:]
    rows = [(_(labels.STATUSES[s]), gauges["open"][s], "main") for s in statuses]
    rows.append((_("Overdue now"), gauges["overdue"], "alert"))
    groups = [charts.Group(label, (charts.Bar(n, number(n), tone),)) for label, n, tone in rows]
    desc = _("Open reports right now: %(list)s.") % {
        "list": "; ".join(f"{label}: {number(n)}" for label, n, _tone in rows)
    }
    svg = charts.bar_chart(
        "workload", _("Open reports by status"), desc, groups, _("Number of reports"), number
    )
    return Shown(svg, [(label, number(n)) for label, n, _tone in rows])


def short_date(day: date, _) -> str:
    """2 Nov / 2 Nov (the month's first three letters: Jan ... Mei ... Agu ... Des)."""
    return f"{day.day} {_(i18n.MONTHS[day.month - 1])[:3]}"


def _weekly(out: dict, _, lang: str) -> Shown:
    weeks = out["service_level_weekly"]
    columns, rows = [], []
    for w in weeks:
        start = date.fromisoformat(w["week_start"])
        share = w["share"]
        shown = i18n.format_percent(share, lang)
        columns.append(charts.Column(short_date(start, _), share, shown))
        rows.append(
            (
                i18n.format_date(start, lang),
                i18n.format_number(w["followed_up"], lang),
                i18n.format_number(w["in_time"], lang),
                shown,
            )
        )
    desc = _(
        "The share of first responses given in time, week by week: %(list)s. A dash: no "
        "first response that week."
    ) % {"list": "; ".join(f"{c.label}: {c.text}" for c in columns)}
    svg = charts.column_chart(
        "service-level",
        _("First responses in time, per week"),
        desc,
        columns,
        top=1,
        ticks=[(0, "0%"), (0.5, "50%"), (1, "100%")],
        x_label=_("Week starting"),
        y_label=_("In time"),
    )
    return Shown(svg, rows)


def _emerging(out: dict, _, number, category_name, region_name) -> Shown | None:
    found = out["emerging"]
    if found is None:
        return None
    groups, rows = [], []
    for item in found["items"]:
        label = f"{category_name(item['category'])} · {region_name(item['region'])}"
        usual = item["expected"]
        change = item["recent"] / usual if usual else None
        groups.append(
            charts.Group(
                label,
                (
                    charts.Bar(
                        item["recent"],
                        _("last 7 days: %(n)s") % {"n": number(item["recent"])},
                        "alert",
                    ),
                    charts.Bar(usual, _("usual week: %(n)s") % {"n": number(usual, 1)}, "muted"),
                ),
            )
        )
        rows.append(
            {
                "category": item["category"],
                "region": item["region"],
                "label": label,
                "recent": number(item["recent"]),
                "usual": number(usual, 1),
                "change": _("%(x)s times the usual") % {"x": number(change, 1)} if change else "–",
            }
        )
    if not groups:
        return Shown(None, rows)
    desc = _("Topics and places with unusually many reports in the last 7 days: %(list)s.") % {
        "list": "; ".join(f"{r['label']}: {r['recent']} ({r['change']})" for r in rows)
    }
    svg = charts.bar_chart(
        "emerging", _("Emerging issues"), desc, groups, _("Reports in a week"), number
    )
    return Shown(svg, rows)


def _top(chart_id: str, title: str, items: list[tuple[str, int]], _, number) -> Shown | None:
    if not items:
        return None
    groups = [charts.Group(name, (charts.Bar(n, number(n)),)) for name, n in items]
    desc = "; ".join(f"{name}: {number(n)}" for name, n in items) + "."
    svg = charts.bar_chart(chart_id, title, desc, groups, _("Reports received"), number)
    return Shown(svg, [(name, number(n)) for name, n in items])


def _overdue_row(report, now: datetime, category_name, calendar) -> dict:
    return {
        "tracking_id": report.tracking_id,
        "title": report.title,
        "category": category_name(report.category) if report.category else None,
        "agency": report.agency.name if report.agency else None,
        "deadline": report.deadline,
        # in working days, as the inbox and the report page count them
        "late": deadline_text.describe(report.deadline, report.awaiting_reporter, now, calendar),
    }
