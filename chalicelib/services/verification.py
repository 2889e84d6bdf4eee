"""Platform admins verify reports from the verification queue and dispose them."""

from __future__ import annotations

from ..domain.report import Actor, AgencyRef
from ..domain.status import Status
from .dispatch import REPORT_ASSIGNED, jobs_for
from .ports import Clock, Directory, DispatchQueue, ReportRepository, WebhookTargets


class NotDisposable(Exception):
    pass


class UnknownAgency(Exception):
    pass


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
    if report.status != Status.UNVERIFIED:
        raise NotDisposable(f"the report is {report.status.value}, not unverified")
    agency = directory.agency(agency_id)
    if agency is None or not agency.active:
        raise UnknownAgency(agency_id)
    now = clock.now()
    report.dispose(
        AgencyRef(agency.id, agency.name),
        actor=Actor("platform_admin", admin),
        at=now,
        rule="admin",
        reason=note or "verified by a platform admin",
    )
    reports.save_changes(report, acknowledge=True)
    jobs = jobs_for(report, agency, targets, REPORT_ASSIGNED, now)
    dispatch.enqueue(jobs)
    return report, jobs
