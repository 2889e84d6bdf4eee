"""The router: report.submitted -> the responsible agency, or the verification queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain import routing
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
    jobs = []
    if decision.routed:
        jobs = jobs_for(report, decision.agency, targets, REPORT_ASSIGNED, now)
        dispatch.enqueue(jobs)
    return RouteResult(
        tracking_id,
        decision.agency.id if decision.routed else None,
        decision.rule,
        decision.reason,
        len(jobs),
    )


def _already_routed(report, reports, directory, targets, dispatch, clock) -> RouteResult:
    """A redelivery: never decide twice. If the router disposed the report, enqueue the
    jobs again (a crash may have happened between the disposition and the enqueue);
    their deterministic ids make the dispatcher deliver each one once."""
    jobs = []
    routed = report.routing
    by_router = routed is not None and routed.decided_by == ROUTER.id
    if (
        by_router
        and report.agency
        and report.status == Status.AWAITING_FOLLOWUP
        and routed.agency_id == report.agency.id
    ):
        agency = directory.agency(report.agency.id)
        if agency is not None:
            jobs = jobs_for(report, agency, targets, REPORT_ASSIGNED, routed.decided_at)
            dispatch.enqueue(jobs)
    try:
        reports.acknowledge_submitted(report.tracking_id)
    except Exception:  # already acknowledged or gone: nothing to do
        log.debug("acknowledge after redelivery failed", exc_info=True)
    return RouteResult(
        report.tracking_id,
        report.agency.id if report.agency else None,
        routed.rule if routed else "admin",
        routed.reason if routed else "",
        len(jobs),
        redelivered=True,
    )
