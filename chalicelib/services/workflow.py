"""The case workflow: every action on a report is one small use case of the same shape.

1. load the report through a unit of work and find the caller's party;
2. ask the policy whether that party may do this action from this status;
3. call the domain method, which changes the report and records timeline and domain events;
4. commit everything in one transaction under optimistic locking;
5. hand the recorded events to the message bus (agencies, reporters, escalations).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain import policy
from ..domain import tracking_id as tracking_ids
from ..domain.calendar import WorkingCalendar
from ..domain.deadlines import SlaClock
from ..domain.errors import ConcurrentUpdate
from ..domain.policy import Action, Party
from ..domain.report import AgencyRef, ArchiveReason, Report
from . import messagebus
from .access import Caller, actor, party
from .ports import Clock, Directory, ReportNotFound, UnitOfWork
from .sla import for_report, sla_clock

log = logging.getLogger(__name__)


class UnknownAgency(Exception):
    pass


class LostRace(ConcurrentUpdate):
    """Somebody changed the report first; ``current_version`` is what is stored now."""

    def __init__(self, tracking_id: str, current_version: int | None):
        super().__init__(tracking_id)
        self.current_version = current_version


@dataclass(frozen=True)
class Done:
    report: Report
    party: Party
    published: bool = True  # False: committed, but an event handler failed (logged)
    recorded: tuple = ()  # the timeline events the action added


@dataclass
class Workflow:
    uow: Callable[[], UnitOfWork]
    directory: Directory
    clock: Clock
    outlets: messagebus.Outlets
    calendar: WorkingCalendar

    # ------------------------------------------------------------ the shape

    def sla(self, report: Report, agency_id: str | None = None) -> SlaClock:
        """The report's service levels (its category's, its agency's: ``agency_id`` or
        the one it is assigned to)."""
        return for_report(self.directory, self.calendar, report, agency_id)

    def load(self, uow: UnitOfWork, raw_id: str) -> Report:
        return uow.reports.get(tracking_ids.normalise(raw_id))

    def perform(
        self,
        raw_id: str,
        action: Action,
        caller: Caller,
        change: Callable[[Report, Party, datetime, UnitOfWork], None],
    ) -> Done:
        with self.uow() as uow:
            report = self.load(uow, raw_id)
            who = party(report, caller, self.directory)
            policy.check(action, who, report.status)
            change(report, who, self.clock.now(), uow)
            recorded = tuple(report.pending_events)
            uow.reports.save(report)
            try:
                uow.commit()
            except ConcurrentUpdate:
                raise LostRace(report.tracking_id, self._current_version(report)) from None
            events = uow.collect_new_events()
        return Done(report, who, self.publish(events, report), recorded)

    def _current_version(self, report: Report) -> int | None:
        try:
            with self.uow() as uow:
                return uow.reports.get(report.tracking_id).version
        except ReportNotFound:
            return None

    def publish(self, events, *reports: Report) -> bool:
        return messagebus.handle_or_keep(
            events, {r.tracking_id: r for r in reports}, self.outlets, self.keep
        )

    def keep(self, tracking_id: str, events) -> None:
        with self.uow() as uow:
            uow.reports.remember_unsent(tracking_id, events, self.clock.now())

    def _agency(self, agency_id: str) -> AgencyRef:
        agency = self.directory.agency(agency_id)
        if agency is None or not agency.active:
            raise UnknownAgency(agency_id)
        return AgencyRef(agency.id, agency.name)

    # ------------------------------------------------------------ platform admins

    def archive(
        self,
        raw_id: str,
        caller: Caller,
        *,
        reason: ArchiveReason,
        message: str,
        duplicate_of: str | None = None,
    ) -> Done:
        def change(report, who, now, uow):
            original = None
            if duplicate_of is not None:
                original = self.load(uow, duplicate_of)
            report.archive(reason, message, actor=actor(who, caller), at=now, duplicate_of=original)
            if original is not None:
                uow.reports.save(original)

        return self.perform(raw_id, Action.ARCHIVE, caller, change)

    def restore(self, raw_id: str, caller: Caller, *, note: str | None) -> Done:
        return self.perform(
            raw_id,
            Action.RESTORE,
            caller,
            lambda r, who, now, uow: r.restore(
                actor=actor(who, caller), at=now, note=note, sla=self.sla(r)
            ),
        )

    def reroute(self, raw_id: str, caller: Caller, *, agency_id: str, reason: str) -> Done:
        agency = self._agency(agency_id)
        return self.perform(
            raw_id,
            Action.REROUTE,
            caller,
            lambda r, who, now, uow: r.reroute(
                agency,
                actor=actor(who, caller),
                at=now,
                reason=reason,
                sla=self.sla(r, agency.id),
            ),
        )

    def close(self, raw_id: str, caller: Caller, *, note: str | None) -> Done:
        return self.perform(
            raw_id,
            Action.CLOSE,
            caller,
            lambda r, who, now, uow: r.close(
                actor=actor(who, caller), at=now, note=note, sla=self.sla(r)
            ),
        )

    # ------------------------------------------------------------ the agency

    def respond(self, raw_id: str, caller: Caller, *, message: str) -> Done:
        return self.perform(
            raw_id,
            Action.RESPOND,
            caller,
            lambda r, who, now, uow: r.respond(message, actor=actor(who, caller), at=now),
        )

    def request_info(self, raw_id: str, caller: Caller, *, message: str) -> Done:
        return self.perform(
            raw_id,
            Action.REQUEST_INFO,
            caller,
            lambda r, who, now, uow: r.request_info(
                message, actor=actor(who, caller), at=now, sla=self.sla(r)
            ),
        )

    def transfer(
        self, raw_id: str, caller: Caller, *, reason: str, suggested_agency: str | None
    ) -> Done:
        if suggested_agency is not None:
            self._agency(suggested_agency)
        return self.perform(
            raw_id,
            Action.TRANSFER,
            caller,
            lambda r, who, now, uow: r.transfer(
                reason,
                actor=actor(who, caller),
                at=now,
                suggested_agency=suggested_agency,
                sla=sla_clock(self.directory, self.calendar, r.category),
            ),
        )

    def note(self, raw_id: str, caller: Caller, *, text: str) -> Done:
        return self.perform(
            raw_id,
            Action.NOTE,
            caller,
            lambda r, who, now, uow: r.add_note(text, actor=actor(who, caller), at=now),
        )

    def final_response(self, raw_id: str, caller: Caller, *, message: str) -> Done:
        return self.perform(
            raw_id,
            Action.FINAL_RESPONSE,
            caller,
            lambda r, who, now, uow: r.final_response(
                message, actor=actor(who, caller), at=now, sla=self.sla(r)
            ),
        )

    # ------------------------------------------------------------ the reporter

    def reply(self, raw_id: str, caller: Caller, *, message: str) -> Done:
        return self.perform(
            raw_id,
            Action.REPLY,
            caller,
            lambda r, who, now, uow: r.reply(message, at=now, sla=self.sla(r)),
        )

    def confirm(self, raw_id: str, caller: Caller) -> Done:
        return self.perform(
            raw_id,
            Action.CONFIRM,
            caller,
            lambda r, who, now, uow: r.confirm(at=now, sla=self.sla(r)),
        )

    def reopen(self, raw_id: str, caller: Caller, *, reason: str) -> Done:
        return self.perform(
            raw_id,
            Action.REOPEN,
            caller,
            lambda r, who, now, uow: r.reopen(reason, at=now, sla=self.sla(r)),
        )

    def rate(self, raw_id: str, caller: Caller, *, score: int, comment: str | None) -> Done:
        return self.perform(
            raw_id,
            Action.RATE,
            caller,
            lambda r, who, now, uow: r.rate(score, comment, at=now),
        )
