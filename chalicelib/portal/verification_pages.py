"""The verification queue in the staff console (platform admins): the reports waiting for
an admin, as ``GET /v1/admin/verification-queue`` lists them — those an agency handed back
first, then the oldest — with each one's verification deadline, a page at a time. Each
links to the report's page, where it is disposed or archived."""

from __future__ import annotations

from chalice import Response

from .. import bootstrap
from ..domain.identity import Role
from ..services.ports import InvalidCursor
from . import labels
from .i18n import N_
from .pages import Page, _category_names, _region_name
from .staff_pages import render_staff

QUEUE_PAGE = 25
# Why the router left a report to an admin (domain/routing.py's rules), in plain words.
RULES = {
    "no-category": N_("No category was chosen."),
    "manual-category": N_("Reports in this category are checked by an administrator first."),
    "no-handler": N_("No agency is registered for this category and region."),
    "ambiguous": N_("Several agencies could handle it."),
    "no-region": N_("The category is regional, but no region was given."),
    "invalid-region": N_("The region is not a known region code."),
    "transferred": N_("The agency handed it back: not its authority."),
    "restored": N_("Taken back from the archive."),
}
BAD_PAGE_LINK = N_("This link to a page of the queue is not valid. Start from the first page.")


def queue(page: Page) -> Response:
    page.staff(Role.PLATFORM_ADMIN)
    after = page.query("setelah")
    try:
        result = bootstrap.reports().verification_page(QUEUE_PAGE, after)
    except InvalidCursor:
        return render_staff(
            page,
            "error.html",
            400,
            message=page.gettext(BAD_PAGE_LINK),
            link=(page.url("staff_verification"), page.gettext("First page")),
            here={"name": "staff_verification"},
        )
    names = _category_names(page)
    items = [
        {
            "report": r,
            "category": names.get(r.category, r.category) if r.category else None,
            "region": _region_name(r.region),
            "why": RULES.get(r.routing.rule) if r.routing else None,
        }
        for r in result.items
    ]
    return render_staff(
        page,
        "staff_verification.html",
        items=items,
        now=bootstrap.clock().now(),
        first_page=after is not None,
        next_url=page.url("staff_verification", setelah=result.next_cursor)
        if result.next_cursor
        else None,
        kinds=labels.KINDS,
        here={"name": "staff_verification"},
    )
