"""The router: report.submitted -> the responsible agency, or the verification queue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..domain import routing
from ..domain.calendar import WorkingCalendar
from ..domain.events import EventType, ReportEvent
from ..domain.report import Actor, AgencyRef, Report
from ..domain.status import Status
from . import messagebus
from .directory_memo import RememberingDirectory
from .ports import Clock, Directory, UnitOfWork
from .sla import for_report

log = logging.getLogger(__name__)
ROUTER = Actor.system("router")


@dataclass(frozen=True)
class RouteResult:
    tracking_id: str
    agency_id: str | None
    rule: str
    reason: str
    redelivered: bool = False


def route_submitted(
    tracking_id: str,
    *,
    uow: Callable[[], UnitOfWork],
    directory: Directory,
    outlets: messagebus.Outlets,
    clock: Clock,
    calendar: WorkingCalendar,
) -> RouteResult:
    """Decide once. Disposition, timeline event, deadline, status and the outbox
    acknowledgement are one transaction; the agency is told after it. Raises
    messagebus.NotPublished when telling failed: the message is retried, finds the
    decision recorded and announces it again (the jobs' ids make that harmless); the
    events that failed are also kept on the report for the scheduler."""
    with uow() as u:
        report = u.reports.get(tracking_id)
        if report.routing is not None or report.status != Status.UNVERIFIED:
            return _already_routed(report, u, outlets)
        category = directory.category(report.category) if report.category else None
        decision = routing.route(category, report.region, directory.all_agencies())
        if decision.routed:  # already read: neither the deadline nor the bus reads it again
            directory = RememberingDirectory(directory, decision.agency)
            outlets = replace(outlets, directory=directory)
        now = clock.now()
        if decision.routed:
            agency = decision.agency
            report.dispose(
                AgencyRef(agency.id, agency.name),
                actor=ROUTER,
                at=now,
                rule=decision.rule,
                reason=decision.reason,
                sla=for_report(directory, calendar, report, agency.id),
            )
        else:
            report.hold_for_verification(
                actor=ROUTER, at=now, rule=decision.rule, reason=decision.reason
            )
        u.reports.save(report, acknowledge=True)
        u.commit()
        events = u.collect_new_events()
    keep = _keeper(uow, clock)
    if not messagebus.handle_or_keep(events, {tracking_id: report}, outlets, keep):
        raise messagebus.NotPublished([])
    return RouteResult(
        tracking_id,
        decision.agency.id if decision.routed else None,
        decision.rule,
        decision.reason,
    )


def _keeper(uow, clock):
    def keep(tracking_id, events):
        with uow() as u:
            u.reports.remember_unsent(tracking_id, events, clock.now())

    return keep


def assignment_event(report: Report) -> ReportEvent | None:
    """report.assigned as recorded by the disposition (for announcing it again)."""
    routed = report.routing
    if not (
        report.agency
        and routed
        and routed.agency_id == report.agency.id
        and report.status == Status.AWAITING_FOLLOWUP
    ):
        return None
    return ReportEvent(
        EventType.ASSIGNED, report.tracking_id, routed.decided_at, 0, report.agency.id
    )


def announce_assignment(report: Report, outlets: messagebus.Outlets) -> None:
    """Tell the agency again (the reporter was told the first time). Safe to repeat:
    the jobs are built from the recorded disposition, so their ids and payloads are the
    same every time and the dispatcher delivers each once."""
    event = assignment_event(report)
    if event is not None:
        messagebus.handle(
            [event], {report.tracking_id: report}, outlets, only=(messagebus.tell_agency,)
        )


def _already_routed(report: Report, u: UnitOfWork, outlets) -> RouteResult:
    """A redelivery: never decide twice. Announce the assignment again (a crash may have
    happened between the disposition and the enqueue)."""
    routed = report.routing
    announce_assignment(report, outlets)
    # Idempotent (REMOVE of an absent attribute); any other failure retries the message.
    u.reports.acknowledge_submitted(report.tracking_id)
    return RouteResult(
        report.tracking_id,
        report.agency.id if report.agency else None,
        routed.rule if routed else "admin",
        routed.reason if routed else "",
        redelivered=True,
    )
