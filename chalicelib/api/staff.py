"""Staff API (signed-in officers, agency admins, executives, platform admins)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime

from chalice import Blueprint

from .. import bootstrap
from ..domain.deadlines import sort_key
from ..domain.identity import Role
from ..domain.status import Status
from ..lazy import lazy_module
from .attachments import attachment_out
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem, invalid_field

# Loaded when a route first uses them: a cold start pays only for what its request needs.
policy = lazy_module("chalicelib.domain.policy")
access = lazy_module("chalicelib.services.access")
workflows = lazy_module("chalicelib.services.workflow")
report_out = lazy_module("chalicelib.api.report_out")

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")


@endpoint(
    bp,
    "/v1/me",
    "GET",
    summary="Who am I (from the bearer token)",
    tags=("staff",),
    roles=(),
    responses={200: ("MeOut", "The caller."), 401: _ERR, 403: _ERR},
)
def me(call):
    p = call.principal
    return json_response(
        s.MeOut(
            subject=p.subject, username=p.username, roles=sorted(p.roles), agency_id=p.agency_id
        ),
        headers={"Cache-Control": "private, no-store"},
    )


# ---------------------------------------------------------------- the inbox

STAFF = (Role.OFFICER, Role.AGENCY_ADMIN, Role.EXECUTIVE, Role.PLATFORM_ADMIN)
AGENCY_STAFF = (Role.OFFICER, Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN)
_INBOX_STATUSES = {Status.AWAITING_FOLLOWUP, Status.IN_PROGRESS, Status.COMPLETED}
_ERRORS = {400: _ERR, 401: _ERR, 403: _ERR, 404: _ERR, 409: _ERR, 415: _ERR, 422: _ERR}


def inbox_agencies(principal, wanted: str | None) -> list[str]:
    """Whose reports: the caller's agency and its sub-units (platform admins name one)."""
    p = principal
    directory = bootstrap.directory()
    if p.has_any(Role.PLATFORM_ADMIN):
        if wanted is None:
            raise invalid_field("agency_id", "platform admins name the agency", "missing", "query")
        if directory.agency(wanted) is None:
            raise invalid_field("agency_id", "unknown agency", "unknown_agency", "query")
        return policy.descendants(wanted, directory.all_agencies())
    if not p.agency_id:
        raise Problem(403, "forbidden", "Your account belongs to no agency.")
    mine = policy.descendants(p.agency_id, directory.all_agencies())
    if wanted is not None:
        if wanted not in mine:
            raise Problem(403, "forbidden", "That agency is not yours or one of its sub-units.")
        return policy.descendants(wanted, directory.all_agencies())
    return mine


@dataclass(frozen=True)
class InboxPage:
    items: list  # Reports, nearest deadline first
    next_cursor: str | None
    now: datetime


def inbox_page(principal, q) -> InboxPage:
    """One page of the inbox for an ``InboxQuery`` (the API's and the console's)."""
    try:
        statuses = [Status(x) for x in q.status.split(",")]
    except ValueError:
        statuses = []
    if not statuses or not set(statuses) <= _INBOX_STATUSES:
        raise invalid_field(
            "status", "awaiting_followup, in_progress and/or completed", "invalid", "query"
        )
    agencies = inbox_agencies(principal, q.agency_id)
    if len(agencies) * len(statuses) > 60:
        raise invalid_field("agency_id", "too many sub-units: name one", "too_broad", "query")
    now = bootstrap.clock().now()
    items, next_key = bootstrap.reports().inbox(
        agencies,
        [st.value for st in statuses],
        category=q.category,
        limit=q.limit,
        after=_cursor(q.cursor),
        before=sort_key(now) if q.overdue else None,
    )
    return InboxPage(items, _encode(next_key) if next_key else None, now)


@endpoint(
    bp,
    "/v1/inbox",
    "GET",
    summary="The agency's reports, nearest deadline first",
    description="Reports assigned to your agency and its sub-units, filtered by status "
    "(default: open), overdue and category, ordered by deadline; cursor-paginated. "
    "Served by an index: the cost of a page does not grow with the number of reports.",
    tags=("staff",),
    roles=STAFF,
    query="InboxQuery",
    responses={200: ("InboxOut", "One page."), 400: _ERR, 401: _ERR, 403: _ERR, 422: _ERR},
)
def inbox(call):
    found = inbox_page(call.principal, call.query)
    out = s.InboxOut(
        items=[report_out.inbox_item(r, found.now) for r in found.items],
        next_cursor=found.next_cursor,
    )
    return json_response(out, headers={"Cache-Control": "private, no-store"})


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _cursor(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        key = ""
    if not _CURSOR.match(key):
        raise invalid_field("cursor", "not a cursor this API issued", "invalid_cursor", "query")
    return key


_CURSOR = re.compile(r"^~?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z#[0-9A-Z]{10}$")


# ---------------------------------------------------------------- one report, for staff


@endpoint(
    bp,
    "/v1/staff/reports/{tracking_id}",
    "GET",
    summary="A report as staff see it",
    description="For the assigned agency (officers, agency admins), its executives and "
    "parent agencies, and platform admins: the full text, the reporter's contact unless "
    "the report is anonymous, attachments, the whole timeline with internal notes, the "
    "deadline and the actions you may take now.",
    tags=("staff",),
    roles=STAFF,
    responses={200: ("StaffReportOut", "The report."), 401: _ERR, 403: _ERR, 404: _ERR},
)
def staff_report(call):
    return staff_view_response(call.params["tracking_id"], call.principal)


def staff_view_response(raw_id: str, principal):
    out, _ = staff_view(raw_id, principal)
    return json_response(out, headers={"Cache-Control": "private, no-store"})


def staff_view(raw_id: str, principal):
    """The report as this staff member's party sees it (``StaffReportOut``), and the party."""
    workflow = bootstrap.workflow()
    caller = access.Caller(principal=principal)
    with workflow.uow() as uow:
        report = workflow.load(uow, raw_id)
    who = access.party(report, caller, workflow.directory)
    if who is policy.Party.PUBLIC:
        raise Problem(403, "not-your-agency", "This report is not assigned to your agency.")
    policy.check(policy.Action.VIEW_STAFF, who, report.status)
    timeline = bootstrap.reports().timeline(report.tracking_id)
    service = bootstrap.attachment_service()
    files = service.listing_of(report, caller)
    out = report_out.staff_out(
        report, timeline, who, [attachment_out(files, a) for a in files.items]
    )
    return out, who


# ---------------------------------------------------------------- the agency acts


def _staff(call) -> access.Caller:
    return access.Caller(principal=call.principal)


def _done(done):
    return report_out.action_response(done)


def _action(path, summary, body, description=None):
    return endpoint(
        bp,
        f"/v1/staff/reports/{{tracking_id}}/{path}",
        "POST",
        summary=summary,
        description=description,
        tags=("staff",),
        roles=AGENCY_STAFF,
        body=body,
        responses={200: ("ActionOut", "Done."), **_ERRORS},
    )


@_action(
    "responses",
    "Respond to the reporter",
    "MessageIn",
    "The first response moves the report to in progress (Proses) and meets the first-"
    "response deadline. Shown to the reporter and, unless confidential, the public.",
)
def respond(call):
    return _done(
        bootstrap.workflow().respond(
            call.params["tracking_id"], _staff(call), message=call.body.message
        )
    )


@_action(
    "information-requests",
    "Ask the reporter for more information",
    "MessageIn",
    "The running deadline pauses until the reporter replies.",
)
def request_info(call):
    return _done(
        bootstrap.workflow().request_info(
            call.params["tracking_id"], _staff(call), message=call.body.message
        )
    )


@_action(
    "transfer",
    "Not our authority (bukan wewenang): back to the admins",
    "TransferIn",
    "The report goes back to the verification queue, first in line, with your reason "
    "and an optional suggested agency; your agency no longer has it.",
)
def transfer(call):
    try:
        done = bootstrap.workflow().transfer(
            call.params["tracking_id"],
            _staff(call),
            reason=call.body.reason,
            suggested_agency=call.body.suggested_agency,
        )
    except workflows.UnknownAgency:
        raise invalid_field(
            "suggested_agency", "unknown or inactive agency", "unknown_agency"
        ) from None
    return _done(done)


@_action(
    "notes",
    "Add an internal note (staff only)",
    "InternalNoteIn",
    "Never shown to the reporter or the public.",
)
def note(call):
    return _done(
        bootstrap.workflow().note(call.params["tracking_id"], _staff(call), text=call.body.text)
    )


@_action(
    "final-response",
    "Give the final response",
    "MessageIn",
    "Opens the completion window: the report is completed 10 working days later unless "
    "the reporter replies or reopens it.",
)
def final_response(call):
    return _done(
        bootstrap.workflow().final_response(
            call.params["tracking_id"], _staff(call), message=call.body.message
        )
    )
