"""The delivery log in the staff console (agency admins for their own agency, platform
admins for any): what ``GET /v1/admin/deliveries`` lists, through the same rules
(services/delivery_log) — an agency's attempts that did not deliver, newest first, by
outcome, a page at a time; or every attempt for one report."""

from __future__ import annotations

import re

from chalice import Response

from .. import bootstrap
from ..api.path_params import TRACKING_ID
from ..domain import tracking_id as tracking_ids
from ..services import delivery_log
from ..services.ports import InvalidCursor
from . import admin_agency
from .i18n import N_
from .pages import Page, error_page
from .staff_pages import AGENCY_ADMINS, render_staff

LOG_PAGE = 50
_TRACKING_ID = re.compile(TRACKING_ID)
OUTCOMES = {
    "delivered": N_("Delivered"),
    "retry": N_("Failed, tried again"),
    "gave_up": N_("Failed for good (dead-lettered)"),
    "disabled": N_("Not sent: the webhook is disabled"),
    "skipped": N_("Not sent: skipped"),
}
FILTER_OUTCOMES = ("retry", "gave_up", "disabled", "skipped")  # what the agency listing holds
BAD_REPORT = N_("Enter a tracking id of 10 letters and digits, for example 7KQ2M9XD4T.")
BAD_OUTCOME = N_("Choose a result from the list.")
BAD_PAGE_LINK = N_("This link to a page of the log is not valid. Start from the first page.")


def listing(page: Page) -> Response:
    who = page.staff(*AGENCY_ADMINS)
    try:
        choice = admin_agency.chosen(who, page.query(admin_agency.PARAM))
    except admin_agency.UnknownAgency:
        return error_page(page, 404)
    _ = page.gettext
    agency = choice.agency
    instansi = admin_agency.query_for(who, agency)
    report = (page.query("laporan") or "").strip()
    outcome = (page.query("hasil") or "").strip()
    after = page.query("setelah")
    errors = {}
    if report and not _TRACKING_ID.match(report):
        errors["laporan"] = _(BAD_REPORT)
    if outcome and outcome not in FILTER_OUTCOMES:
        errors["hasil"] = _(BAD_OUTCOME)
    attempts, next_url = [], None
    log = bootstrap.deliveries()
    if agency is not None and not errors:
        if report:
            attempts = [
                a
                for a in delivery_log.for_report(log, who, tracking_ids.normalise(report))
                if a.agency_id == agency.id and (not outcome or a.outcome == outcome)
            ]
            attempts.reverse()  # newest first
        else:
            try:
                result = delivery_log.for_agency(
                    log, who, agency.id, outcome=outcome or None, limit=LOG_PAGE, cursor=after
                )
            except InvalidCursor:
                return render_staff(
                    page,
                    "error.html",
                    400,
                    message=_(BAD_PAGE_LINK),
                    link=(
                        page.url("staff_deliveries", **{admin_agency.PARAM: instansi}),
                        _("First page"),
                    ),
                    here={"name": "staff_deliveries"},
                )
            attempts = result.items
            if result.next_cursor:
                next_url = page.url(
                    "staff_deliveries",
                    **{admin_agency.PARAM: instansi},
                    hasil=outcome or None,
                    setelah=result.next_cursor,
                )
    webhook_urls = (
        {t.id: t.url for t in bootstrap.targets().for_agency(agency.id)} if agency else {}
    )
    query = {k: v for k, v in {admin_agency.PARAM: instansi, "hasil": outcome}.items() if v}
    return render_staff(
        page,
        "staff_deliveries.html",
        400 if errors else 200,
        agency=agency,
        choices=choice.choices,
        instansi=instansi,
        attempts=attempts,
        webhook_urls=webhook_urls,
        outcomes=OUTCOMES,
        filter_outcomes=FILTER_OUTCOMES,
        report=report[:40],
        outcome=outcome[:20],
        errors=errors,
        next_url=next_url,
        paged=bool(after),
        here={"name": "staff_deliveries", "query": query},
    )
