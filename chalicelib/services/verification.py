"""Platform admins verify reports from the verification queue and dispose them."""

from __future__ import annotations

from ..domain.report import Actor, AgencyRef
from ..domain.status import Status
from .ports import Clock, Directory, DispatchQueue, ReportRepository, WebhookTargets
from .routing import announce_assignment


class NotDisposable(Exception):
    pass


class UnknownAgency(Exception):
    pass


class AnnouncePending(Exception):
    """Disposed, but the agency could not be notified yet; repeating the request retries."""


def dispose(
    tracking_id: str,
    agency_id: str,
    *,
    admin: str,
    note: str | None,
    reports: ReportRepository,
    directory: Directory,
    targets: WebhookTargets,
    dispatch: DispatchQueue,
    clock: Clock,
):
    report = reports.get(tracking_id)
    already = (
        report.status == Status.AWAITING_FOLLOWUP
        and report.agency is not None
        and report.agency.id == agency_id
    )
    if not already:
        if report.status != Status.UNVERIFIED:
            raise NotDisposable(f"the report is {report.status.value}, not unverified")
        agency = directory.agency(agency_id)
        if agency is None or not agency.active:
            raise UnknownAgency(agency_id)
        report.dispose(
            AgencyRef(agency.id, agency.name),
            actor=Actor("platform_admin", admin),
            at=clock.now(),
            rule="admin",
            reason=note or "verified by a platform admin",
        )
        reports.save_changes(report, acknowledge=True)
    try:
        announce_assignment(report, directory=directory, targets=targets, dispatch=dispatch)
    except Exception as e:
        raise AnnouncePending(str(e)) from e
    return report
