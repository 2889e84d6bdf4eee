"""Reading a reporter's identity in the staff console (platform admins only), as
``POST /v1/admin/reports/{id}/identity`` does: a stated reason is required, the read is
written to the identity-access log (who, when, why) before anything is shown, and the
identity appears on that one response only — never in a URL or a cookie, never cached
(every page is ``Cache-Control: no-store``). The page also lists the report's access log.
"""

from __future__ import annotations

import logging

from annotated_types import MaxLen, MinLen
from chalice import Response

from .. import bootstrap
from ..api.schemas.admin import IdentityReadIn
from ..domain import tracking_id as tracking_ids
from ..domain.identity import Role
from ..services import identity
from ..services.ports import ReportNotFound
from .i18n import N_
from .pages import Page, error_page
from .staff_pages import render_staff

log = logging.getLogger(__name__)


def _reason_limits() -> tuple[int, int]:
    """The reason's length as the API's schema bounds it (one rule for both doors)."""
    metadata = IdentityReadIn.model_fields["reason"].metadata
    low = next(m.min_length for m in metadata if isinstance(m, MinLen))
    high = next(m.max_length for m in metadata if isinstance(m, MaxLen))
    return low, high


REASON_LIMITS = _reason_limits()
REASON_LENGTH = N_("Say why you need the identity, in %(low)s to %(high)s characters.")


def _page(page: Page, tid: str, status: int = 200, **context) -> Response:
    report = bootstrap.reports().get(tid)
    entries = bootstrap.get("identity_log").for_report(tid)
    return render_staff(
        page,
        "staff_identity.html",
        status,
        report=report,
        entries=sorted(entries, key=lambda e: e.at, reverse=True),
        limits=REASON_LIMITS,
        here={"name": "staff_identity", "tracking_id": tid},
        **context,
    )


def form(page: Page, raw_id: str) -> Response:
    page.staff(Role.PLATFORM_ADMIN)
    try:
        return _page(page, tracking_ids.normalise(raw_id), reason="", errors={})
    except ReportNotFound:
        return error_page(page, 404)


def read(page: Page, raw_id: str) -> Response:
    who = page.staff(Role.PLATFORM_ADMIN)
    tid = tracking_ids.normalise(raw_id)
    reason = " ".join((page.form().get("reason") or "").split())
    low, high = REASON_LIMITS
    try:
        if not low <= len(reason) <= high:
            message = page.gettext(REASON_LENGTH) % {"low": low, "high": high}
            return _page(page, tid, 422, reason=reason[: high * 2], errors={"reason": message})
        result = identity.read(bootstrap.workflow(), tid, admin=who.username, reason=reason)
    except ReportNotFound:
        return error_page(page, 404)
    log.warning(
        "reporter identity read in the console",
        extra={"tracking_id": result.tracking_id, "by": who.username},
    )
    return _page(page, tid, reason="", errors={}, shown=True, reporter=result.reporter)
