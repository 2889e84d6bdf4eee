"""Public statistics (no sign-in, cacheable) and the executive dashboard (issue 9).

Public pages answer with ``Cache-Control: public`` and a strong ``ETag`` (a hash of the
body); ``If-None-Match`` with that tag is answered ``304`` without a body. Small cells are
suppressed (``chalicelib/stats/suppression.py``).
"""

from __future__ import annotations

import hashlib

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.identity import Role
from ..lazy import lazy_module
from .endpoint import HeaderParam, endpoint, json_response
from .endpoint import schemas as s
from .problems import invalid_field

# Loaded when a route first uses them: a cold start pays only for what its request needs.
periods = lazy_module("chalicelib.stats.periods")
report_out = lazy_module("chalicelib.api.report_out")

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")
_NOT_MODIFIED = (None, "Not modified: the ETag sent in If-None-Match is current.")
IF_NONE_MATCH = HeaderParam(
    "If-None-Match",
    "An ETag from an earlier answer: 304 without a body while it is still current.",
    schema=(("maxLength", 1024),),
)
LIVE_SECONDS = 300  # the last 30 days and the running month change as reports move
CLOSED_SECONDS = 3600  # a month that has ended no longer changes
RANKING_SECONDS = 900  # computed hourly


def _period(call):
    try:
        return bootstrap.statistics().period(call.query.period)
    except periods.BadPeriod as e:
        raise invalid_field("period", str(e), "invalid_period", "query string") from None


def etag_of(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


def cached(call, out, max_age: int) -> Response:
    body = out.model_dump_json(exclude_none=False)
    etag = etag_of(body)
    headers = {"Cache-Control": f"public, max-age={max_age}", "ETag": etag}
    if _matches(call.header("if-none-match"), etag):
        return Response(body="", status_code=304, headers=headers)
    return Response(
        body=body, status_code=200, headers={"Content-Type": "application/json", **headers}
    )


def _page(call, page: dict, period) -> Response:
    return cached(call, s.StatsOut.model_validate(page), _max_age(period))


def _max_age(period) -> int:
    return CLOSED_SECONDS if period.closed else LIVE_SECONDS


def _public(path: str, summary: str, description: str, out: str = "StatsOut", extra=None):
    return endpoint(
        bp,
        path,
        "GET",
        summary=summary,
        description=description,
        tags=("statistics",),
        query="StatsQuery",
        headers=(IF_NONE_MATCH,),
        responses={200: (out, "The figures."), 304: _NOT_MODIFIED, 422: _ERR, **(extra or {})},
    )


_SUPPRESSION = (
    " Cells with 1 to 4 reports received in the period (and the cells that would give them "
    "away by subtraction) are suppressed: they show only that they are small."
)


@_public(
    "/v1/stats/national",
    "National indicators",
    "Reports received, verified, followed up, completed; rates, median working days, "
    "satisfaction; open and overdue now; by category." + _SUPPRESSION,
)
def national(call):
    period = _period(call)
    return _page(call, bootstrap.statistics().national(period), period)


@_public(
    "/v1/stats/agencies/{agency_id}",
    "An agency's indicators",
    "What was assigned to the agency and what it did with it; by category and by region "
    "(no finer than the regency)." + _SUPPRESSION,
    extra={404: _ERR},
)
def agency(call):
    period = _period(call)
    return _page(call, bootstrap.statistics().agency(call.params["agency_id"], period), period)


@_public(
    "/v1/stats/categories/{category_code}",
    "A category's indicators",
    "National figures of one category." + _SUPPRESSION,
    extra={404: _ERR},
)
def category(call):
    period = _period(call)
    page = bootstrap.statistics().category(call.params["category_code"], period)
    return _page(call, page, period)


@_public(
    "/v1/stats/regions/{region_code}",
    "A province's or regency's indicators",
    "A province with its regencies, its categories and each regency × category; a regency "
    "with its categories." + _SUPPRESSION,
    extra={404: _ERR},
)
def region(call):
    period = _period(call)
    page = bootstrap.statistics().region(call.params["region_code"], period)
    return _page(call, page, period)


@_public(
    "/v1/stats/ranking",
    "The ranking of agencies",
    "Agencies with at least 20 reports received in the period, by a score of their "
    "followed-up rate, in-time share, speed and satisfaction (the criteria are in the "
    "answer); computed hourly for the last 30 days, the running and the previous month "
    "(a month's ranking is kept once computed).",
    out="RankingOut",
    extra={404: _ERR},
)
def ranking(call):
    period = _period(call)
    out = s.RankingOut.model_validate(bootstrap.statistics().ranking(period))
    return cached(call, out, CLOSED_SECONDS if period.closed else RANKING_SECONDS)


# ---------------------------------------------------------------- the executive dashboard


@endpoint(
    bp,
    "/v1/dashboard",
    "GET",
    summary="The executive dashboard",
    description="For executives (their agency and its sub-units, or one sub-unit with "
    "?agency=) and platform admins (national, or any agency): open reports by status and "
    "overdue now, the overdue list (oldest deadline first, the first 20), service-level "
    "compliance per week (8 weeks), the sub-units' indicators, the top categories and "
    "regions, and emerging issues. Read from the statistics' read models: its cost does "
    "not grow with the number of reports.",
    tags=("statistics",),
    roles=(Role.EXECUTIVE, Role.PLATFORM_ADMIN),
    query="DashboardQuery",
    responses={200: ("DashboardOut", "The dashboard."), 404: _ERR, 422: _ERR},
)
def dashboard(call):
    period = _period(call)
    now = bootstrap.clock().now()
    out = bootstrap.statistics().dashboard(
        call.principal, call.query.agency, period, bootstrap.reports()
    )
    out["overdue"]["items"] = [report_out.inbox_item(r, now) for r in out["overdue"]["items"]]
    return json_response(
        s.DashboardOut.model_validate(out), headers={"Cache-Control": "private, no-store"}
    )
