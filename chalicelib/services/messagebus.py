"""After a commit, every recorded domain event goes to the handlers registered here: the
one place that decides who is told what. Services never call side effects by hand.

Handlers only enqueue (dispatch jobs for agencies, messages for reporters and
escalations), so an action stays cheap; the queues' consumers retry and dead-letter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.events import EventType, ReportEvent
from ..domain.report import Report
from .dispatch import jobs_for
from .ports import Directory, DispatchQueue, ReporterMessages, WebhookTargets

log = logging.getLogger(__name__)


@dataclass
class Outlets:
    directory: Directory
    targets: WebhookTargets
    dispatch: DispatchQueue
    messages: ReporterMessages


class NotPublished(Exception):
    """Committed, but some handlers failed (their events were not passed on)."""

    def __init__(self, failures: list[tuple[ReportEvent, Exception]]):
        super().__init__(f"{len(failures)} event handler(s) failed")
        self.failures = failures


def tell_agency(event: ReportEvent, report: Report, out: Outlets, agency_id=None) -> None:
    """The event as a signed webhook / queue message for the agency it concerns."""
    agency = out.directory.agency(agency_id or event.agency_id) if event.agency_id else None
    if agency is None:
        return
    # report.assigned is identified by the disposition time alone, so that a redelivered
    # routing message rebuilds the very same jobs; the others by their timeline entry.
    change = None if event.type is EventType.ASSIGNED else {"seq": event.seq, **event.data}
    lost = event.type is EventType.TRANSFERRED and (
        report.agency is None or report.agency.id != agency.id
    )
    jobs = jobs_for(report, agency, out.targets, event.type.value, event.at, change, minimal=lost)
    out.dispatch.enqueue(jobs)


def tell_parent_agency(event: ReportEvent, report: Report, out: Outlets) -> None:
    """Escalation: the overdue report also reaches the agency's parent."""
    agency = out.directory.agency(event.agency_id) if event.agency_id else None
    if agency is not None and agency.parent_id:
        tell_agency(event, report, out, agency_id=agency.parent_id)


def tell_reporter(event: ReportEvent, report: Report, out: Outlets) -> None:
    """A message to the reporter, if they left a way to reach them. Ids only: the sender
    loads the report and renders the message."""
    r = report.reporter
    if r is None or not (r.email or r.phone or r.account):
        return
    out.messages.enqueue(
        [
            {
                "kind": "report_event",
                "event_id": event.id,
                "tracking_id": event.tracking_id,
                "type": event.type.value,
                "seq": event.seq,
            }
        ]
    )


def escalate(event: ReportEvent, report: Report, out: Outlets) -> None:
    """Overdue: the agency's and its parent's contact addresses and the platform admins."""
    out.messages.enqueue(
        [
            {
                "kind": "escalation",
                "event_id": event.id,
                "tracking_id": event.tracking_id,
                "type": event.type.value,
                "seq": event.seq,
                "agency_id": event.agency_id,
            }
        ]
    )


Handler = Callable[[ReportEvent, Report, Outlets], None]

HANDLERS: dict[EventType, tuple[Handler, ...]] = {
    EventType.ASSIGNED: (tell_agency, tell_reporter),
    EventType.UPDATED: (tell_agency,),
    EventType.TRANSFERRED: (tell_agency, tell_reporter),
    EventType.REPORTER_REPLIED: (tell_agency,),
    EventType.SLA_WARNING: (tell_agency,),
    EventType.OVERDUE: (tell_agency, tell_parent_agency, escalate),
    EventType.COMPLETED: (tell_agency, tell_reporter),
    EventType.RATED: (tell_agency,),
    EventType.ARCHIVED: (tell_reporter,),
    EventType.RESPONDED: (tell_reporter,),
    EventType.INFO_REQUESTED: (tell_reporter,),
    EventType.RESTORED: (tell_reporter,),
    EventType.REOPENED: (tell_agency,),
}


def handle_or_keep(
    events: list[ReportEvent],
    reports: dict[str, Report],
    out: Outlets,
    keep: Callable[[str, list[ReportEvent]], None],
) -> bool:
    """``handle``; events whose handlers failed are kept on their report (``keep``), so
    that the scheduler passes them on again. False if any failed."""
    try:
        handle(events, reports, out)
    except NotPublished as e:
        failed: dict[str, dict[str, ReportEvent]] = {}
        for event, _ in e.failures:
            failed.setdefault(event.tracking_id, {})[event.id] = event
        for tracking_id, by_id in failed.items():
            try:
                keep(tracking_id, list(by_id.values()))
            except Exception:
                log.exception(
                    "events lost: they could not be kept for another try",
                    extra={"tracking_id": tracking_id, "events": sorted(by_id)},
                )
        return False
    return True


def handle(
    events: list[ReportEvent],
    reports: dict[str, Report],
    out: Outlets,
    only: tuple[Handler, ...] | None = None,
) -> None:
    """Run every handler of every event; a failing handler does not stop the others.
    Raises NotPublished at the end if any failed."""
    failures = []
    for event in events:
        report = reports[event.tracking_id]
        for handler in HANDLERS.get(event.type, ()):
            if only is not None and handler not in only:
                continue
            try:
                handler(event, report, out)
            except Exception as e:
                log.exception(
                    "event handler failed",
                    extra={"event_type": event.type.value, "handler": handler.__name__},
                )
                failures.append((event, e))
    if failures:
        raise NotPublished(failures)
