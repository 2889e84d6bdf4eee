"""The deadline scheduler: warnings, overdue escalations and auto-completion.

One run reads only what is due, from the sparse sharded deadline index
(``reports.due(now, limit)``: never a Scan, never every open report), and handles each
due report in its own unit of work:

- ``warn``: one working day before a verification / first-response deadline;
- ``overdue``: the deadline passed; the message bus escalates (agency, its parent, the
  platform admins);
- ``complete``: the completion window after the agency's final response ended.

Handling a report moves its ``due_at`` on (or drops it from the index), so a second run
in the same hour finds nothing to do. A lost race (someone acted on the report meanwhile)
is re-checked once on a fresh read, otherwise left to the next run. A run that runs out of
time stops; what it did not reach is still in the index and is picked up next time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from ..domain.calendar import WorkingCalendar
from ..domain.errors import ConcurrentUpdate
from ..domain.report import Report
from . import messagebus, sla
from .directory_memo import RememberingDirectory
from .ports import Clock, Directory, ReportNotFound, ReportRepository, UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 100  # ids read per index shard and query round
DEFAULT_RESERVE_SECONDS = 5.0  # stop while this much of the time budget is left


@dataclass
class SchedulerRun:
    warned: int = 0
    overdue: int = 0
    completed: int = 0
    resent: int = 0  # reports whose earlier events were passed on again
    unchanged: int = 0  # in the index, but nothing to do any more (someone acted first)
    skipped: int = 0  # lost the race twice or vanished: left to the next run
    failed: int = 0  # an unexpected error on this report (logged), left to the next run
    not_published: int = 0  # committed, but an event handler failed (logged)
    remaining: int = 0  # due but not reached in time (at least this many)
    finished: bool = True  # False: the time budget ran out

    def as_dict(self) -> dict:
        return asdict(self)


def time_budget(seconds: float, monotonic: Callable[[], float] = time.monotonic):
    """A ``time_left`` callable for a budget of ``seconds`` from now."""
    ends = monotonic() + seconds
    return lambda: ends - monotonic()


def run_scheduler(
    *,
    uow: Callable[[], UnitOfWork],
    reports: ReportRepository,
    directory: Directory,
    outlets: messagebus.Outlets,
    clock: Clock,
    calendar: WorkingCalendar,
    time_left: Callable[[], float] | None = None,
    reserve_seconds: float = DEFAULT_RESERVE_SECONDS,
    limit: int = DEFAULT_LIMIT,
) -> SchedulerRun:
    """One pass over what is due now. ``time_left`` answers the seconds left (a Lambda
    context's remaining time); the run stops once fewer than ``reserve_seconds`` remain."""
    now = clock.now()
    run = SchedulerRun()
    # One run reads each agency and its webhook targets once, however many of its
    # reports are due (the run lasts seconds; the dispatcher reads targets fresh).
    directory = RememberingDirectory(directory)
    outlets = messagebus.Outlets(
        directory, _RunTargets(outlets.targets), outlets.dispatch, outlets.messages
    )
    seen: set[str] = set()
    while True:
        due = reports.due(now, limit)
        fresh = [tid for tid in due if tid not in seen]
        for n, tracking_id in enumerate(fresh):
            if time_left is not None and time_left() < reserve_seconds:
                run.remaining += len(fresh) - n
                run.finished = False
                _log(run, now)
                return run
            seen.add(tracking_id)
            _handle(tracking_id, now, run, uow, directory, outlets, calendar)
        # Every shard answered fewer than ``limit``: nothing due was left unread. What
        # was handled left the index; only what was skipped would come back.
        if len(due) < limit or not fresh:
            break
    _log(run, now)
    return run


def _handle(tracking_id, now, run, uow, directory, outlets, calendar) -> None:
    try:
        outcome, published = _apply(tracking_id, now, uow, directory, outlets, calendar)
    except Exception:
        log.exception("scheduler could not handle a report", extra={"tracking_id": tracking_id})
        run.failed += 1
        return
    counter = _COUNTERS[outcome]
    setattr(run, counter, getattr(run, counter) + 1)
    if not published:
        run.not_published += 1


_COUNTERS = {
    "warn": "warned",
    "overdue": "overdue",
    "complete": "completed",
    "resent": "resent",
    "unchanged": "unchanged",
    "skipped": "skipped",
}


def _apply(tracking_id, now: datetime, uow, directory, outlets, calendar) -> tuple[str, bool]:
    """(what was done, whether its events were passed on)."""
    for attempt in (1, 2):
        with uow() as work:
            try:
                report: Report = work.reports.get(tracking_id)
            except ReportNotFound:
                log.warning("due report not found", extra={"tracking_id": tracking_id})
                return "skipped", True
            action = report.due_check(now)
            retry = report.take_unsent()  # events whose handlers failed before
            if action is None and not retry:
                return "unchanged", True
            if action is None:
                action = "resent"
            elif action == "warn":
                report.warn(at=now)
            elif action == "overdue":
                report.mark_overdue(at=now)
            else:
                report.complete_automatically(
                    at=now, sla=sla.for_report(directory, calendar, report)
                )
            work.reports.save(report)
            try:
                work.commit()
            except ConcurrentUpdate:
                log.info(
                    "report changed meanwhile; checking it again",
                    extra={"tracking_id": tracking_id, "attempt": attempt},
                )
                continue
            events = retry + work.collect_new_events()

        def keep(tid, failed):
            with uow() as again:
                again.reports.remember_unsent(tid, failed, now)

        if not messagebus.handle_or_keep(events, {report.tracking_id: report}, outlets, keep):
            log.error(
                "scheduler change committed but not published; kept for the next run",
                extra={"tracking_id": tracking_id, "action": action},
            )
            return action, False
        return action, True
    log.warning("report kept changing; left to the next run", extra={"tracking_id": tracking_id})
    return "skipped", True


def _log(run: SchedulerRun, now: datetime) -> None:
    level = logging.INFO if run.finished and not run.failed else logging.WARNING
    log.log(level, "scheduler run", extra={"now": now.isoformat(), **run.as_dict()})


class _RunTargets:
    """An agency's webhook targets, read at most once per run."""

    def __init__(self, targets):
        self._targets = targets
        self._by_agency: dict = {}

    def for_agency(self, agency_id: str):
        if agency_id not in self._by_agency:
            self._by_agency[agency_id] = self._targets.for_agency(agency_id)
        return self._by_agency[agency_id]

    def __getattr__(self, name):
        return getattr(self._targets, name)
