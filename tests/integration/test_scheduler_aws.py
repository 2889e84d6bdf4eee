"""The scheduler's reads against DynamoDB in the emulator: the sparse sharded deadline
index answers only what is due, and handling a report moves it on in the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import botocore.client
import pytest

from chalicelib.adapters import partitions
from chalicelib.adapters.dynamodb_models import ReportItem
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain import tracking_id
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.deadlines import DeadlineState, SlaClock
from chalicelib.domain.report import Actor, AgencyRef
from chalicelib.domain.status import Status
from chalicelib.services.messagebus import Outlets
from chalicelib.services.scheduler import run_scheduler
from tests.builders import submitted_report
from tests.fakes import FakeDirectory, FakeDispatchQueue, FakeMessages, FakeTargets, FixedClock

pytestmark = pytest.mark.integration

# Long ago, so that no other test's report is due at this test's "now".
DISPOSED = datetime(2011, 3, 1, 3, 0, tzinfo=UTC)  # Tuesday 1 March 2011, 10:00 WIB
BANDUNG = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
ADMIN = Actor("platform_admin", "admin")
OFFICER = Actor("officer", "petugas")


@pytest.fixture
def calendar():
    return WorkingCalendar()


@pytest.fixture
def reads(monkeypatch):
    """(operation, items read) for every DynamoDB call this test makes."""
    seen: list[tuple[str, int]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        response = original(self, operation, params)
        if operation in ("Query", "Scan"):
            seen.append((operation, response.get("ScannedCount", response.get("Count", 0))))
        elif operation == "GetItem":
            seen.append((operation, 1 if "Item" in response else 0))
        elif operation == "BatchGetItem":
            seen.append((operation, sum(len(v) for v in response["Responses"].values())))
        return response

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return seen


def store(repo, calendar, at, *, final=False):
    sla = SlaClock(calendar)
    report = submitted_report(at - timedelta(hours=1), tracking_id.generate(), sla=sla)
    report.dispose(BANDUNG, actor=ADMIN, at=at, rule="admin", reason="verified", sla=sla)
    if final:
        report.final_response("Sudah diperbaiki.", actor=OFFICER, at=at, sla=sla)
    report.events.clear()
    repo.add_new(report, None)
    return report.tracking_id


def test_due_reads_only_what_is_due_and_handling_moves_it_on(stack, calendar, reads):
    repo = DynamoReportRepository()
    # 30 open reports whose deadlines are weeks away, and three with something to do
    # on Monday 7 March 2011 at 09:00 WIB: a warning, an overdue, a completion.
    later = [store(repo, calendar, DISPOSED + timedelta(days=20)) for _ in range(30)]
    warn = store(repo, calendar, DISPOSED)  # due end of Tuesday 8 March, warned Monday 7
    late = store(repo, calendar, DISPOSED - timedelta(days=14))
    done = store(repo, calendar, DISPOSED - timedelta(days=21), final=True)
    now = datetime(2011, 3, 7, 2, 0, tzinfo=UTC)
    reads.clear()

    due = repo.due(now, 100)

    assert sorted(due) == sorted([warn, late, done])
    assert not set(due) & set(later)
    # one per shard, never a Scan
    assert [op for op, _ in reads] == ["Query"] * partitions.DEADLINE_SHARDS
    assert sum(n for _, n in reads) == 3  # items read: the due ones, nothing else

    reads.clear()
    dispatch, messages = FakeDispatchQueue(), FakeMessages()
    run = run_scheduler(
        uow=DynamoUnitOfWork,
        reports=repo,
        directory=FakeDirectory(),
        outlets=Outlets(FakeDirectory(), FakeTargets(), dispatch, messages),
        clock=FixedClock(now),
        calendar=calendar,
    )

    assert (run.warned, run.overdue, run.completed) == (1, 1, 1)
    assert run.finished and (run.skipped, run.failed, run.unchanged) == (0, 0, 0)
    # 3 items from the index, then one GetItem per due report; nothing else read.
    assert sum(n for _, n in reads) == 6
    assert sorted(op for op, _ in reads) == ["GetItem"] * 3 + ["Query"] * partitions.DEADLINE_SHARDS

    # Handled: out of the index for this hour...
    assert repo.due(now, 100) == []
    assert repo.due(now + timedelta(minutes=59), 100) == []
    # ...the warned one now waits for its deadline, the others left the index.
    warned = repo.get(warn)
    assert warned.deadline.state is DeadlineState.WARNED
    assert ReportItem.get(warn).due_at == warned.deadline.due
    assert repo.due(warned.deadline.due, 100) == [warn]
    assert ReportItem.get(late).due_at is None and ReportItem.get(late).due_shard is None
    assert repo.get(late).deadline.state is DeadlineState.OVERDUE
    assert repo.get(done).status is Status.COMPLETED
    assert ReportItem.get(done).due_at is None
    assert [e.action for e in repo.timeline(done)][-1] == "auto_completed"

    again = run_scheduler(
        uow=DynamoUnitOfWork,
        reports=repo,
        directory=FakeDirectory(),
        outlets=Outlets(FakeDirectory(), FakeTargets(), dispatch, messages),
        clock=FixedClock(now + timedelta(minutes=30)),
        calendar=calendar,
    )
    assert (again.warned, again.overdue, again.completed, again.unchanged) == (0, 0, 0, 0)
