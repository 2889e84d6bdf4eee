"""Platform admins verify reports from the verification queue and dispose them."""

from __future__ import annotations

import logging

from ..domain import policy
from ..domain.policy import Action
from ..domain.status import Status
from . import messagebus
from .access import Caller, actor, party
from .routing import announce_assignment
from .workflow import Done, UnknownAgency, Workflow

__all__ = ["AnnouncePending", "UnknownAgency", "dispose"]

log = logging.getLogger(__name__)


class AnnouncePending(Exception):
    """Disposed, but the agency could not be notified yet; repeating the request retries."""


def dispose(workflow: Workflow, raw_id: str, caller: Caller, *, agency_id: str, note: str | None):
    """Idempotent: disposing again to the same agency only announces it again."""
    agency = workflow._agency(agency_id)
    with workflow.uow() as uow:
        report = workflow.load(uow, raw_id)
        who = party(report, caller, workflow.directory)
        already = (
            report.status == Status.AWAITING_FOLLOWUP
            and report.agency is not None
            and report.agency.id == agency.id
        )
        if already:
            policy.check(Action.VIEW_STAFF, who, report.status)
        else:
            policy.check(Action.DISPOSE, who, report.status)
            report.dispose(
                agency,
                actor=actor(who, caller),
                at=workflow.clock.now(),
                rule="admin",
                reason=note or "verified by a platform admin",
                sla=workflow.sla(report, agency.id),
            )
            uow.reports.save(report, acknowledge=True)
            uow.commit()
            # After the commit, whatever telling the agency does next: the audit trail.
            log.info(
                "report disposed by admin",
                extra={
                    "tracking_id": report.tracking_id,
                    "agency_id": agency.id,
                    "by": caller.principal.username if caller.principal else None,
                },
            )
        events = uow.collect_new_events()
    if already:
        try:
            announce_assignment(report, workflow.outlets)
        except messagebus.NotPublished as e:
            raise AnnouncePending(str(e)) from e
    elif not workflow.publish(events, report):
        # kept for the scheduler too; repeating the request announces it at once
        raise AnnouncePending("the agency could not be told yet")
    return Done(report, who)
