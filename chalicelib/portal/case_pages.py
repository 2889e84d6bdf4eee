"""One report in the console (``/staf/laporan/<id>``): the staff view the API gives
(``api.staff.staff_view``: what the caller's party may see, the reporter's identity only
as the privacy rules allow), and a form for every action the policy allows the caller
now, none it does not. Each form posts to ``/staf/laporan/<id>/<action>``, which runs the
same service as the matching API route and redirects back with a notice.
"""

from __future__ import annotations

import logging

from chalice import Response

from .. import bootstrap
from ..api import staff as api_staff
from ..api.problems import Problem
from ..domain import tracking_id as tracking_ids
from ..domain.policy import NotPermitted, Party
from ..services import access, attachments
from ..services.ports import ReportNotFound
from . import case_actions, deadline_text
from .i18n import N_
from .pages import Page, _region_name, error_page
from .staff_pages import OFFICERS, READERS, render_staff

log = logging.getLogger(__name__)

NOT_YOURS = N_("This report is not assigned to your agency.")

ARCHIVE_REASONS = {
    "duplicate": N_("Duplicate of another report"),
    "too_general": N_("Too general to act on"),
    "not_public_service": N_("Not a matter for a public service"),
    "abusive": N_("Breaks the rules of conduct"),
    "no_answer": N_("No answer to a request for more information"),
}
ACTORS = {
    "reporter": N_("Reporter"),
    "officer": N_("Officer"),
    "agency_admin": N_("Agency administrator"),
    "executive": N_("Executive"),
    "platform_admin": N_("Satu Pintu administrator"),
    "system": N_("Satu Pintu"),
}
# Timeline entries told from the staff's side (the reporter's own page says "you").
TIMELINE = {
    "reporter_replied": N_("The reporter replied"),
    "confirmed": N_("The reporter confirmed it is resolved"),
    "reopened": N_("The reporter reopened it"),
    "rated": N_("The reporter rated the handling"),
    "information_requested": N_("The agency asked the reporter for more information"),
    "internal_note": N_("Internal note"),
    "sla_warning": N_("The deadline is near"),
    "overdue": N_("The deadline passed"),
}


def _view(page: Page, raw_id: str):
    """(the staff view, the caller's party), or an error page to answer with."""
    who = page.staff(*READERS)
    try:
        return api_staff.staff_view(raw_id, who), None
    except ReportNotFound:
        return None, error_page(page, 404, N_("There is no such report."))
    except (Problem, NotPermitted, attachments.NotAllowed):
        return None, error_page(page, 403, NOT_YOURS)


def report(
    page: Page,
    raw_id: str,
    refused: case_actions.Refused | None = None,
    acting: str | None = None,
    form: dict | None = None,
) -> Response:
    found, failed = _view(page, raw_id)
    if failed is not None:
        return failed
    (view, party) = found
    directory = bootstrap.directory()
    now = bootstrap.clock().now()
    agencies = sorted(
        (a for a in directory.all_agencies() if a.active), key=lambda a: a.name.casefold()
    )
    category = directory.category(view.category.code) if view.category else None
    allowed = [a for a in case_actions.ACTIONS if a.action in view.allowed_actions]
    notice = case_actions.notice_for(page.query("done"))
    errors = {}
    if refused is not None:
        errors = {
            "action": acting,
            "field": refused.field,
            "message": page.gettext(refused.message) % refused.params
            if refused.params
            else page.gettext(refused.message),
        }
    return render_staff(
        page,
        "staff_report.html",
        refused.status if refused else 200,
        r=view,
        party=party.value,
        category=category,
        region_name=_region_name(view.region),
        deadline=deadline_text.describe(
            view.deadline, view.awaiting_reporter, now, bootstrap.get("calendar")
        ),
        actions=allowed,
        agencies=agencies,
        archive_reasons=ARCHIVE_REASONS,
        actors=ACTORS,
        timeline_labels=TIMELINE,
        identity_link=party is Party.PLATFORM_ADMIN and view.identity_withheld,
        notice=notice,
        errors=errors,
        form=form or {},
        acting=acting,
        here={"name": "staff_report", "tracking_id": view.tracking_id, "section": "staff_inbox"},
    )


def act(page: Page, raw_id: str, segment: str) -> Response:
    action = case_actions.BY_SEGMENT[segment]
    who = page.staff(*OFFICERS)
    form = page.form()
    try:
        notice = case_actions.perform(action, raw_id, who, form)
    except case_actions.Refused as refused:
        if refused.status in (403, 404) and refused.field is None:
            return error_page(page, refused.status, refused.message)
        return report(page, raw_id, refused, action.action, form)
    done = segment if notice == action.done else "pending"
    tid = tracking_ids.normalise(raw_id)
    if action.action == "transfer":  # no longer the agency's: back to the inbox
        return page.redirect(page.url("staff_inbox", done=done))
    return page.redirect(page.url("staff_report", tracking_id=tid, done=done) + "#notice")


def download(page: Page, raw_id: str, attachment_id: str) -> Response:
    """An accepted attachment: a redirect to a short-lived link (a copy without embedded
    metadata for everyone but platform admins, as the API's download gives)."""
    who = page.staff(*READERS)
    try:
        url = bootstrap.attachment_service().download_url(
            raw_id, attachment_id, access.Caller(principal=who)
        )
    except (ReportNotFound, attachments.AttachmentNotFound):
        return error_page(page, 404, N_("There is no such file."))
    except attachments.NotAllowed:
        return error_page(page, 403, NOT_YOURS)
    return page.redirect(url, status=302)
