"""The router: report.submitted -> the responsible agency, or the verification queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain import routing
from ..domain.directory import Agency
from ..domain.report import Actor, AgencyRef
from ..domain.status import Status
from .dispatch import REPORT_ASSIGNED, jobs_for
from .ports import Clock, Directory, DispatchQueue, ReportRepository, WebhookTargets

log = logging.getLogger(__name__)
ROUTER = Actor.system("router")


@dataclass(frozen=True)
class RouteResult:
    tracking_id: str
    agency_id: str | None
    rule: str
    reason: str
    jobs: int
    redelivered: bool = False


def route_submitted(
    tracking_id: str,
    *,
    reports: ReportRepository,
    directory: Directory,
    targets: WebhookTargets,
    dispatch: DispatchQueue,
    clock: Clock,
) -> RouteResult:
    report = reports.get(tracking_id)
    if report.routing is not None or report.status != Status.UNVERIFIED:
        return _already_routed(report, reports, directory, targets, dispatch, clock)

    category = directory.category(report.category) if report.category else None
    decision = routing.route(category, report.region, directory.all_agencies())
    now = clock.now()
    if decision.routed:
        agency = decision.agency
        report.dispose(
            AgencyRef(agency.id, agency.name),
            actor=ROUTER,
            at=now,
            rule=decision.rule,
            reason=decision.reason,
        )
    else:
        report.hold_for_verification(
            actor=ROUTER, at=now, rule=decision.rule, reason=decision.reason
        )
    # Disposition, timeline event, status and outbox acknowledgement: one transaction
    # with optimistic locking. A redelivered message finds the routing already recorded.
    reports.save_changes(report, acknowledge=True)
    jobs = 0
    if decision.routed:
        jobs = announce_assignment(
            report,
            directory=directory,
            targets=targets,
            dispatch=dispatch,
            agency=decision.agency,  # already read (cached directory): no extra lookup
        )
    return RouteResult(
        tracking_id,
        decision.agency.id if decision.routed else None,
        decision.rule,
        decision.reason,
        jobs,
    )


def announce_assignment(
    report,
    *,
    directory: Directory,
    targets: WebhookTargets,
    dispatch: DispatchQueue,
    agency: Agency | None = None,
) -> int:
    """Enqueue report.assigned for the agency the report is disposed to. Safe to repeat:
    the jobs are built from the recorded disposition, so their ids and payloads are the
    same every time and the dispatcher delivers each once."""
    routed = report.routing
    if not (
        report.agency
        and routed
        and routed.agency_id == report.agency.id
        and report.status == Status.AWAITING_FOLLOWUP
    ):
        return 0
    agency = agency or directory.agency(report.agency.id)
    if agency is None:
        return 0
    jobs = jobs_for(report, agency, targets, REPORT_ASSIGNED, routed.decided_at)
    dispatch.enqueue(jobs)
    return len(jobs)


def _already_routed(report, reports, directory, targets, dispatch, clock) -> RouteResult:
    """A redelivery: never decide twice. Announce the assignment again (a crash may have
    happened between the disposition and the enqueue); repeating it is harmless."""
    routed = report.routing
    jobs = announce_assignment(report, directory=directory, targets=targets, dispatch=dispatch)
    # Idempotent (REMOVE of an absent attribute); any other failure retries the message.
    reports.acknowledge_submitted(report.tracking_id)
    return RouteResult(
        report.tracking_id,
        report.agency.id if report.agency else None,
        routed.rule if routed else "admin",
        routed.reason if routed else "",
        jobs,
        redelivered=True,
    )
