"""The deadline scheduler with in-memory fakes, a frozen clock and the real calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.deadlines import DeadlineKind, DeadlineState, SlaClock
from chalicelib.domain.directory import Agency
from chalicelib.domain.report import Actor, AgencyRef
from chalicelib.domain.status import Status
from chalicelib.services.messagebus import Outlets
from chalicelib.services.scheduler import run_scheduler, time_budget
from tests.builders import submitted_report
from tests.fakes import (
    CATEGORIES,
    FakeDirectory,
    FakeDispatchQueue,
    FakeMessages,
    FakeTargets,
    FixedClock,
    InMemoryReports,
    InMemoryUnitOfWork,
)

WIB = ZoneInfo("Asia/Jakarta")
ADMIN = Actor("platform_admin", "admin")
OFFICER = Actor("officer", "petugas.bandung")
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
AGENCIES = [
    Agency(
        "pemprov-jabar",
        "Pemerintah Provinsi Jawa Barat",
        "local_government",
        sqs_queue_url="https://sqs.example/jabar",
    ),
    Agency(
        "pemkot-bandung",
        "Pemerintah Kota Bandung",
        "local_government",
        parent_id="pemprov-jabar",
        region_code="32.73",
        categories=("infrastruktur",),
        sqs_queue_url="https://sqs.example/bandung",
    ),
]


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def calendar():
    return WorkingCalendar()


@pytest.fixture
def sla(calendar):
    return SlaClock(calendar)


class World:
    """The scheduler's ports as fakes, and a helper to run it."""

    def __init__(self, calendar):
        self.calendar = calendar
        self.reports = InMemoryReports()
        self.directory = FakeDirectory(CATEGORIES, AGENCIES)
        self.dispatch = FakeDispatchQueue()
        self.messages = FakeMessages()
        self.outlets = Outlets(self.directory, FakeTargets(), self.dispatch, self.messages)
        self.uow = lambda: InMemoryUnitOfWork(self.reports)

    def run(self, at: datetime, **options):
        return run_scheduler(
            uow=self.uow,
            reports=self.reports,
            directory=self.directory,
            outlets=self.outlets,
            clock=FixedClock(at),
            calendar=self.calendar,
            **options,
        )

    def store(self, report):
        report.events.clear()  # what happened before is not the scheduler's to tell
        self.reports.add_new(report, None)
        return report.tracking_id

    def disposed(self, at: datetime, tracking_id: str, sla: SlaClock) -> str:
        report = submitted_report(at - timedelta(hours=1), tracking_id, sla=sla)
        report.dispose(BANDUNG, actor=ADMIN, at=at, rule="admin", reason="verified", sla=sla)
        return self.store(report)

    def answered(self, at: datetime, tracking_id: str, sla: SlaClock) -> str:
        """Disposed, then the agency's final response at ``at``."""
        report = submitted_report(at - timedelta(days=2), tracking_id, sla=sla)
        report.dispose(
            BANDUNG, actor=ADMIN, at=at - timedelta(days=1), rule="admin", reason="ok", sla=sla
        )
        report.final_response("Sudah diperbaiki.", actor=OFFICER, at=at, sla=sla)
        return self.store(report)

    def get(self, tracking_id):
        return self.reports.get(tracking_id)

    def actions(self, tracking_id) -> list[str]:
        return [e.action for e in self.reports.timeline(tracking_id)]

    def jobs(self) -> list[tuple[str, str]]:
        return [(j.event_type, j.agency_id) for j in self.dispatch.jobs]


def counts(run) -> tuple[int, int, int]:
    return run.warned, run.overdue, run.completed


@pytest.fixture
def world(calendar):
    return World(calendar)


# ----------------------------------------------------------------- Idul Fitri 2026


def test_first_response_warns_one_working_day_before_across_nyepi_and_idul_fitri(world, sla):
    """The issue's example: disposed Tuesday 17 March 2026, due at the end of Tuesday 31
    March (18-24 March are Nyepi, Idul Fitri and joint leave); warned on Monday 30."""
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-WARN0001", sla)
    assert world.get(tid).deadline.due == wib(2026, 4, 1, 0, 0)

    # Five calendar working days later, but inside the holidays: nothing yet.
    for day in (18, 20, 23, 24, 25, 26, 27):
        assert counts(world.run(wib(2026, 3, day, 9, 0))) == (0, 0, 0)
    assert counts(world.run(wib(2026, 3, 29, 23, 59))) == (0, 0, 0)  # Sunday night

    run = world.run(wib(2026, 3, 30, 0, 5))

    assert counts(run) == (1, 0, 0)
    report = world.get(tid)
    assert report.deadline.state is DeadlineState.WARNED
    assert report.status is Status.AWAITING_FOLLOWUP
    assert world.actions(tid)[-1] == "sla_warning"
    assert world.jobs() == [("report.sla_warning", "pemkot-bandung")]
    assert world.messages.messages == []  # the reporter is not bothered with it


def test_overdue_escalates_to_the_agency_its_parent_and_the_platform_admins(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-LATE0001", sla)
    world.run(wib(2026, 3, 30, 9, 0))  # the warning
    world.dispatch.jobs.clear()
    assert counts(world.run(wib(2026, 3, 31, 23, 59))) == (0, 0, 0)  # still Tuesday

    run = world.run(wib(2026, 4, 1, 0, 0))

    assert counts(run) == (0, 1, 0)
    report = world.get(tid)
    assert report.deadline.state is DeadlineState.OVERDUE
    assert report.status is Status.AWAITING_FOLLOWUP  # overdue is a flag, not a status
    assert world.actions(tid)[-1] == "overdue"
    assert sorted(world.jobs()) == [
        ("report.overdue", "pemkot-bandung"),
        ("report.overdue", "pemprov-jabar"),
    ]
    [escalation] = world.messages.messages
    assert escalation["kind"] == "escalation"
    assert escalation["agency_id"] == "pemkot-bandung"
    assert escalation["tracking_id"] == tid


def test_a_report_found_long_after_its_deadline_is_marked_overdue_without_a_warning(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-LATE0002", sla)

    assert counts(world.run(wib(2026, 4, 6, 9, 0))) == (0, 1, 0)
    assert "sla_warning" not in world.actions(tid)
    # Nothing left to do for this deadline: it leaves the index.
    assert world.reports.due(wib(2027, 1, 1, 0, 0), 100) == []


def test_overdue_verification_escalates_to_the_platform_admins(world, sla):
    """Nobody verified it in 3 working days: there is no agency yet, the admins hear."""
    report = submitted_report(wib(2026, 11, 2, 8, 0), "SP-VRFY0001", sla=sla)  # Monday
    tid = world.store(report)
    assert world.get(tid).deadline.kind is DeadlineKind.VERIFICATION

    assert counts(world.run(wib(2026, 11, 4, 0, 1))) == (1, 0, 0)  # start of Wednesday
    assert counts(world.run(wib(2026, 11, 6, 0, 0))) == (0, 1, 0)  # after Thursday
    assert world.jobs() == []  # no agency to tell
    [escalation] = world.messages.messages
    assert escalation["kind"] == "escalation"
    assert escalation["agency_id"] is None


# ----------------------------------------------------------------- weekends


def test_a_warning_that_falls_after_a_weekend_waits_for_monday(world, sla):
    tid = world.disposed(wib(2026, 11, 3, 14, 0), "SP-WKND0001", sla)  # Tuesday
    deadline = world.get(tid).deadline
    assert deadline.due == wib(2026, 11, 11, 0, 0)  # end of Tuesday 10 November
    assert deadline.warn_at == wib(2026, 11, 9, 0, 0)  # start of Monday 9 November

    for at in (wib(2026, 11, 6, 23, 59), wib(2026, 11, 7, 12, 0), wib(2026, 11, 8, 23, 0)):
        assert counts(world.run(at)) == (0, 0, 0)
    assert counts(world.run(wib(2026, 11, 9, 0, 30))) == (1, 0, 0)


def test_a_report_disposed_on_friday_counts_from_monday(world, sla):
    tid = world.disposed(wib(2026, 11, 6, 16, 0), "SP-WKND0002", sla)  # Friday

    assert world.get(tid).deadline.due == wib(2026, 11, 14, 0, 0)  # end of Friday 13
    assert counts(world.run(wib(2026, 11, 11, 23, 0))) == (0, 0, 0)
    assert counts(world.run(wib(2026, 11, 12, 8, 0))) == (1, 0, 0)
    assert counts(world.run(wib(2026, 11, 14, 8, 0))) == (0, 1, 0)  # Saturday: overdue


# ----------------------------------------------------------------- auto-completion


def test_completed_automatically_at_the_end_of_the_completion_window(world, sla):
    """Final response Wednesday 25 March 2026: ten working days skip Good Friday (3 April)
    and end with Thursday 9 April."""
    tid = world.answered(wib(2026, 3, 25, 10, 0), "SP-DONE0001", sla)
    assert world.get(tid).deadline.due == wib(2026, 4, 10, 0, 0)

    assert counts(world.run(wib(2026, 4, 9, 23, 59))) == (0, 0, 0)  # no warning either
    run = world.run(wib(2026, 4, 10, 0, 10))

    assert counts(run) == (0, 0, 1)
    report = world.get(tid)
    assert report.status is Status.COMPLETED
    assert report.deadline is None
    assert report.completed_at == wib(2026, 4, 10, 0, 10)
    assert report.reopen_until is not None  # the reporter may still reopen
    assert world.actions(tid)[-1] == "auto_completed"
    assert world.jobs() == [("report.completed", "pemkot-bandung")]
    assert [m["type"] for m in world.messages.messages] == ["report.completed"]


def test_a_reporter_reply_inside_the_window_stops_the_auto_completion(world, sla):
    tid = world.answered(wib(2026, 11, 2, 10, 0), "SP-DONE0002", sla)
    report = world.get(tid)
    report.reply("Belum diperbaiki, masih berlubang.", at=wib(2026, 11, 5, 9, 0), sla=sla)
    world.reports.save_changes(report)

    assert counts(world.run(wib(2026, 12, 1, 9, 0))) == (0, 0, 0)
    assert world.get(tid).status is Status.IN_PROGRESS


# ----------------------------------------------------------------- idempotency


def test_a_second_run_in_the_same_hour_changes_nothing(world, sla):
    warned = world.disposed(wib(2026, 3, 17, 10, 0), "SP-IDEM0001", sla)
    late = world.disposed(wib(2026, 3, 10, 10, 0), "SP-IDEM0002", sla)
    done = world.answered(wib(2026, 3, 2, 10, 0), "SP-IDEM0003", sla)
    at = wib(2026, 3, 30, 10, 0)

    first = world.run(at)
    assert counts(first) == (1, 1, 1)
    stored = {t: (world.get(t).version, world.actions(t)) for t in (warned, late, done)}
    jobs, messages = len(world.dispatch.jobs), len(world.messages.messages)

    second = world.run(at + timedelta(minutes=40))

    assert counts(second) == (0, 0, 0)
    assert (second.unchanged, second.skipped, second.failed) == (0, 0, 0)
    assert {t: (world.get(t).version, world.actions(t)) for t in stored} == stored
    assert (len(world.dispatch.jobs), len(world.messages.messages)) == (jobs, messages)


def test_handling_moves_the_report_to_its_next_check_in_the_index(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-NEXT0001", sla)
    at = wib(2026, 3, 30, 10, 0)
    assert world.reports.due(at, 100) == [tid]

    world.run(at)

    assert world.reports.due(at, 100) == []
    assert world.reports.due(wib(2026, 4, 1, 0, 0), 100) == [tid]  # the deadline itself


# ----------------------------------------------------------------- time budget


class Ticking:
    """A budget that loses ``per_call`` seconds each time it is asked."""

    def __init__(self, seconds: float, per_call: float):
        self.left, self.per_call = seconds, per_call

    def __call__(self) -> float:
        left = self.left
        self.left -= self.per_call
        return left


def test_a_run_out_of_time_stops_and_the_next_run_continues(world, sla):
    ids = [world.disposed(wib(2026, 3, 3, 10, n), f"SP-BDGT000{n}", sla) for n in range(5)]
    at = wib(2026, 3, 30, 10, 0)

    first = world.run(at, time_left=Ticking(12, 3), reserve_seconds=5)  # 12, 9, 6 then 3

    assert first.overdue == 3
    assert first.remaining == 2
    assert first.finished is False
    assert len(world.reports.due(at, 100)) == 2  # still in the index

    second = world.run(at + timedelta(hours=1))

    assert second.overdue == 2 and second.finished
    assert all(world.get(t).deadline.state is DeadlineState.OVERDUE for t in ids)


def test_time_budget_counts_down_from_now():
    now = [100.0]
    left = time_budget(30, monotonic=lambda: now[0])
    now[0] = 112.5
    assert left() == pytest.approx(17.5)


def test_the_run_reads_the_index_again_when_a_page_was_full(world, sla):
    for n in range(7):
        world.disposed(wib(2026, 3, 3, 10, n), f"SP-PAGE000{n}", sla)
    calls = []
    due = world.reports.due
    world.reports.due = lambda now, limit: calls.append(limit) or due(now, limit)[:limit]

    run = world.run(wib(2026, 3, 30, 10, 0), limit=3)

    assert run.overdue == 7
    assert calls == [3, 3, 3]  # 3 + 3 + 1: a short page ends the run


# ----------------------------------------------------------------- races


class RacingUnitOfWork(InMemoryUnitOfWork):
    """Somebody else acts on the report between the scheduler's read and its commit."""

    def __init__(self, reports, meanwhile):
        super().__init__(reports)
        self.meanwhile = meanwhile

    def commit(self):
        if self.meanwhile:
            self.meanwhile.pop(0)()
        super().commit()


def change_behind_the_back(world, tid, change):
    def act():
        report = world.reports.get(tid)
        change(report)
        report.events.clear()
        world.reports.save_changes(report)

    return act


def test_an_agency_response_during_the_run_wins_and_nothing_is_escalated(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-RACE0001", sla)
    at = wib(2026, 4, 1, 9, 0)
    respond = change_behind_the_back(
        world, tid, lambda r: r.respond("Sedang kami tangani.", actor=OFFICER, at=at)
    )
    meanwhile = [respond]
    world.uow = lambda: RacingUnitOfWork(world.reports, meanwhile)

    run = world.run(at)

    assert counts(run) == (0, 0, 0)
    assert run.unchanged == 1  # re-read: answered, nothing overdue any more
    report = world.get(tid)
    assert report.status is Status.IN_PROGRESS
    assert "overdue" not in world.actions(tid)
    assert world.jobs() == [] and world.messages.messages == []


def test_an_unrelated_change_during_the_run_is_retried_once(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-RACE0002", sla)
    at = wib(2026, 4, 1, 9, 0)
    note = change_behind_the_back(
        world, tid, lambda r: r.add_note("Diteruskan ke dinas PU.", actor=OFFICER, at=at)
    )
    meanwhile = [note]
    world.uow = lambda: RacingUnitOfWork(world.reports, meanwhile)

    run = world.run(at)

    assert run.overdue == 1
    assert world.actions(tid)[-2:] == ["internal_note", "overdue"]


def test_a_report_that_keeps_changing_is_left_to_the_next_run(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-RACE0003", sla)
    at = wib(2026, 4, 1, 9, 0)

    def note(n):
        return change_behind_the_back(
            world, tid, lambda r: r.add_note(f"catatan {n}", actor=OFFICER, at=at)
        )

    meanwhile = [note(1), note(2)]
    world.uow = lambda: RacingUnitOfWork(world.reports, meanwhile)

    run = world.run(at)

    assert (run.overdue, run.skipped) == (0, 1)
    assert world.reports.due(at, 100) == [tid]  # still due

    assert world.run(at + timedelta(hours=1)).overdue == 1


# ----------------------------------------------------------------- failures


def test_a_queue_outage_after_the_commit_is_logged_not_fatal(world, sla, caplog):
    first = world.disposed(wib(2026, 3, 17, 10, 0), "SP-FAIL0001", sla)
    second = world.disposed(wib(2026, 3, 17, 11, 0), "SP-FAIL0002", sla)
    world.dispatch.failing = True

    run = world.run(wib(2026, 4, 1, 9, 0))

    assert run.overdue == 2 and run.not_published == 2
    assert {world.get(t).deadline.state for t in (first, second)} == {DeadlineState.OVERDUE}
    assert "committed but not published" in caplog.text
    assert len(world.messages.messages) == 2  # the other handlers still ran


def test_events_not_passed_on_are_kept_and_the_next_run_sends_them(world, sla):
    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-KEEP0001", sla)
    world.dispatch.failing = True
    run = world.run(wib(2026, 4, 1, 9, 0))
    assert run.overdue == 1 and run.not_published == 1
    kept = world.get(tid).unsent
    assert [e.type.value for e in kept] == ["report.overdue"]
    assert world.dispatch.jobs == []

    world.dispatch.failing = False
    again = world.run(wib(2026, 4, 1, 10, 0))
    assert again.resent == 1 and again.not_published == 0
    assert ("report.overdue", "pemkot-bandung") in world.jobs()
    assert world.get(tid).unsent == ()
    assert world.run(wib(2026, 4, 1, 11, 0)).resent == 0  # nothing left to send


def test_when_even_keeping_fails_the_loss_is_logged(world, sla, caplog):
    world.disposed(wib(2026, 3, 17, 10, 0), "SP-LOST0001", sla)
    world.dispatch.failing = True
    world.reports.failing_remember = True
    run = world.run(wib(2026, 4, 1, 9, 0))
    assert run.overdue == 1 and run.not_published == 1
    assert "events lost" in caplog.text


def test_one_broken_report_does_not_stop_the_run(world, sla):
    broken = world.disposed(wib(2026, 3, 17, 10, 0), "SP-BRKN0001", sla)
    fine = world.disposed(wib(2026, 3, 17, 11, 0), "SP-BRKN0002", sla)
    get = world.reports.get

    def failing_get(tracking_id):
        if tracking_id == broken:
            raise RuntimeError("throttled")
        return get(tracking_id)

    world.reports.get = failing_get

    run = world.run(wib(2026, 4, 1, 9, 0))

    assert (run.overdue, run.failed) == (1, 1)
    assert world.reports.reports[fine].deadline.state is DeadlineState.OVERDUE


# ----------------------------------------------------------------- the handler


def test_the_hourly_handler_runs_the_scheduler_with_the_lambda_time_budget(world, sla, monkeypatch):
    import app
    from chalicelib import bootstrap
    from devstack.pump import EventPump, schedule_seconds

    tid = world.disposed(wib(2026, 3, 17, 10, 0), "SP-HNDL0001", sla)
    bootstrap.reset()
    bootstrap.override(
        reports=world.reports,
        uow=world.uow,
        directory=world.directory,
        targets=world.outlets.targets,
        dispatch_queue=world.dispatch,
        messages=world.messages,
        clock=FixedClock(wib(2026, 4, 1, 9, 0)),
        calendar=world.calendar,
    )
    try:
        pump = EventPump(app.app, None, "ap-southeast-3")
        [schedule] = [s for s in pump.schedules() if s.name == "check_deadlines"]
        assert schedule_seconds(schedule.schedule_expression) == 3600  # hourly
        result = pump.run_schedule(schedule)  # a Lambda-shaped event and context
    finally:
        bootstrap.reset()

    assert result["overdue"] == 1 and result["finished"] is True
    assert world.get(tid).deadline.state is DeadlineState.OVERDUE
