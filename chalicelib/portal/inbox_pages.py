"""The console's inbox (``/staf/kotak-masuk``): the reports of the officer's agency and its
sub-units, nearest deadline first, filtered like ``GET /v1/inbox`` (status, overdue only,
category, sub-unit) and paged by its cursor. Platform admins first pick an agency.

The filters are a plain GET form: the page's address holds them, so they stick when the
reader comes back, switches language or follows "next page".
"""

from __future__ import annotations

from chalice import Response

from .. import bootstrap
from ..api import staff as api_staff
from ..api.endpoint import schemas
from ..api.problems import Problem
from ..domain import policy, views
from ..domain.identity import Role
from . import choices, deadline_text
from .case_actions import notice_for
from .i18n import N_
from .pages import Page, _region_name
from .staff_pages import OFFICERS, render_staff

PAGE_SIZE = 25
OPEN = "awaiting_followup,in_progress"
STATUS_CHOICES = {
    "": N_("Open (awaiting follow-up or in progress)"),
    "awaiting_followup": N_("Awaiting follow-up"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
}
BAD_FILTER = N_("These filters cannot be used. Choose them again from the lists.")
PICK_AGENCY = N_("Choose the agency whose inbox you want to see.")


def _filters(page: Page) -> dict[str, str]:
    return {
        "status": page.query("status") or "",
        "overdue": "1" if page.query("overdue") in ("1", "on", "true") else "",
        "category": page.query("category") or "",
        "agency_id": page.query("agency_id") or "",
    }


def _agency_choices(who) -> list:
    """Platform admins: every agency; others: their agency and its sub-units."""
    directory = bootstrap.directory()
    everyone = directory.all_agencies()
    if who.has_any(Role.PLATFORM_ADMIN):
        return sorted(everyone, key=lambda a: a.name.casefold())
    mine = set(policy.descendants(who.agency_id, everyone)) if who.agency_id else set()
    return sorted((a for a in everyone if a.id in mine), key=lambda a: a.name.casefold())


def inbox(page: Page) -> Response:
    who = page.staff(*OFFICERS)
    filters = _filters(page)
    after = page.query("after")
    admin = who.has_any(Role.PLATFORM_ADMIN)
    directory = bootstrap.directory()
    context = dict(
        filters=filters,
        statuses=STATUS_CHOICES,
        categories=choices.categories(directory, page.lang),
        agencies=_agency_choices(who),
        admin=admin,
        rows=[],
        next_url=None,
        error=None,
        done=notice_for(page.query("done")),
        here={"name": "staff_inbox", "query": {k: v for k, v in filters.items() if v}},
    )
    if admin and not filters["agency_id"]:
        return render_staff(page, "staff_inbox.html", prompt=PICK_AGENCY, **context)
    if filters["status"] not in STATUS_CHOICES:
        return render_staff(page, "staff_inbox.html", 400, **{**context, "error": BAD_FILTER})
    try:
        query = schemas.InboxQuery.model_validate(
            {
                "status": filters["status"] or OPEN,
                "overdue": bool(filters["overdue"]),
                "category": filters["category"] or None,
                "agency_id": filters["agency_id"] or None,
                "limit": PAGE_SIZE,
                "cursor": after or None,
            }
        )
        found = api_staff.inbox_page(who, query)
    except schemas.ValidationError:
        return render_staff(page, "staff_inbox.html", 400, **{**context, "error": BAD_FILTER})
    except Problem as e:
        message = BAD_FILTER if e.status != 403 else N_("That agency is not yours.")
        return render_staff(page, "staff_inbox.html", e.status, **{**context, "error": message})
    calendar = bootstrap.get("calendar")
    names = {c.code: c.name for c in context["categories"]}
    rows = [
        {
            "report": r,
            "category": names.get(r.category, r.category) if r.category else None,
            "region": _region(r),
            "deadline": deadline_text.describe(
                r.deadline, r.awaiting_reporter, found.now, calendar
            ),
        }
        for r in found.items
    ]
    next_url = None
    if found.next_cursor:
        kept = {k: v for k, v in filters.items() if v}
        next_url = page.url("staff_inbox", **kept, after=found.next_cursor)
    return render_staff(
        page,
        "staff_inbox.html",
        **{**context, "rows": rows, "next_url": next_url, "paged": bool(after)},
    )


def _region(report) -> str | None:
    return _region_name(views.region_for_others(report))
