"""Case-workflow benchmark in the emulator. Prints one JSON object on its last line:

- inbox_items_read_ratio: DynamoDB items read (ScannedCount of the Query responses) for
  one inbox page (one agency's open statuses, 25 per page) with 10,000 reports stored
  / with 1,000 (target <= 1.1);
- feed_items_read_ratio: the same for one page of the public feed (every listed report,
  all three statuses, 25 per page: 24 partitions merged) (target <= 1.1);
- scheduler_reads_per_due_item: items read by one scheduler run (index queries, report
  reads, directory and webhook-target reads, from a cold container) with 10,000 open
  reports of which 20 are due, / 20 (target <= 3). Also printed without the directory
  reads (each agency concerned and its parent once per run, and, in a cold container,
  the whole category taxonomy, which DynamoDirectory caches as one map, for the service
  levels of an auto-completed report: fixed costs, not per due item);
- aws_calls_per_action: AWS calls made by one officer response (Workflow.respond through
  bootstrap with the real adapters; JWKS is not an AWS call) (target <= 4).

The reports are written with BatchWriteItem (the repository's own item mapping), not
through the API: the figures are about reads, and 10,000 submissions would take minutes.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from _stack import start_emulator

NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)  # Wednesday 10 June 2026, 10:00 WIB
SMALL, LARGE = 1_000, 10_000
DUE = {"warn": 8, "overdue": 6, "complete": 6}  # 20 due at NOW
N_ACTIONS = 10


class Reads:
    """Every botocore call, and the DynamoDB items each one read."""

    def __init__(self):
        import botocore.client

        self.calls: list[str] = []
        self.items: Counter = Counter()
        self.by_table: Counter = Counter()
        self._client = botocore.client.BaseClient
        self._original = self._client._make_api_call
        reads = self

        def counting(client, operation, params):
            response = reads._original(client, operation, params)
            reads.calls.append(operation)
            n = 0
            if operation in ("Query", "Scan"):
                n = response.get("ScannedCount", response.get("Count", 0))
            elif operation == "GetItem":
                n = 1 if "Item" in response else 0
            elif operation == "BatchGetItem":
                n = sum(len(v) for v in response["Responses"].values())
            if n:
                reads.items[operation] += n
                reads.by_table[params.get("TableName", "batch")] += n
            return response

        self._client._make_api_call = counting

    def clear(self) -> None:
        self.calls.clear()
        self.items.clear()
        self.by_table.clear()

    @property
    def total(self) -> int:
        return sum(self.items.values())

    def close(self) -> None:
        self._client._make_api_call = self._original


def agencies(n: int) -> list:
    from chalicelib import bootstrap

    found = [a for a in bootstrap.directory().all_agencies() if a.active]
    with_parent = [a for a in found if a.parent_id]
    return (with_parent + [a for a in found if not a.parent_id])[:n]


def build(n: int, agency_refs, calendar, due: dict | None = None):
    """n open reports spread over the agencies, awaiting follow-up or in progress, with
    deadlines after NOW, except ``due``: kind -> how many have something to do at NOW."""
    from chalicelib.domain import tracking_id
    from chalicelib.domain.deadlines import SlaClock
    from chalicelib.domain.report import Actor
    from tests.builders import submitted_report

    sla = SlaClock(calendar)
    admin, officer = Actor("platform_admin", "admin"), Actor("officer", "petugas")
    plan = [k for k, count in (due or {}).items() for _ in range(count)]
    plan += [None] * (n - len(plan))
    reports = []
    for i, kind in enumerate(plan):
        agency = agency_refs[i % len(agency_refs)]
        final = kind == "complete" or (kind is None and i % 2 == 1)
        if kind is None:
            disposed = NOW - timedelta(minutes=(i * 7) % (36 * 60))  # the last day and a half
        else:  # working days back: 4 -> warned today, 8 -> overdue, 14 -> completion window over
            disposed = NOW - timedelta(days={"warn": 6, "overdue": 12, "complete": 20}[kind])
        report = submitted_report(disposed - timedelta(hours=2), tracking_id.generate(), sla=sla)
        report.dispose(agency, actor=admin, at=disposed, rule="admin", reason="bench", sla=sla)
        if final:
            report.final_response("Jawaban.", actor=officer, at=disposed, sla=sla)
        if kind is not None:
            assert report.due_check(NOW) == kind, (kind, report.deadline)
        else:
            assert report.due_check(NOW) is None and report.deadline.next_check() > NOW
        report.events.clear()
        reports.append(report)
    return reports


def write(reports) -> None:
    from chalicelib.adapters.dynamodb_models import ReportItem
    from chalicelib.adapters.report_repository import _to_item

    with ReportItem.batch_write() as batch:
        for report in reports:
            report.version = 1
            batch.save(_to_item(report))


def inbox_reads(reads: Reads, agency_id: str) -> int:
    from chalicelib.adapters.report_repository import DynamoReportRepository

    repo = DynamoReportRepository()
    reads.clear()
    page, _ = repo.inbox(
        [agency_id],
        ["awaiting_followup", "in_progress"],
        category=None,
        limit=25,
        after=None,
        before=None,
    )
    assert len(page) == 25
    assert set(reads.calls) == {"Query"}, reads.calls
    return reads.total


def feed_reads(reads: Reads) -> int:
    from chalicelib.adapters.report_repository import DynamoReportRepository
    from chalicelib.services.ports import FeedFilters

    reads.clear()
    page, _ = DynamoReportRepository().feed(FeedFilters(), limit=25, after=None)
    assert len(page) == 25
    assert set(reads.calls) == {"Query"}, reads.calls
    return reads.total


def officer_response_calls(reads: Reads, agency_ref, calendar) -> tuple[float, dict]:
    """AWS calls per Workflow.respond, warm (clients and directory caches in place)."""
    from chalicelib import bootstrap
    from chalicelib.adapters.report_repository import DynamoReportRepository
    from chalicelib.domain.identity import Principal, Role
    from chalicelib.services.access import Caller

    repo = DynamoReportRepository()
    reports = build(N_ACTIONS + 1, [agency_ref], calendar)
    for report in reports:
        report.version = None
        repo.add_new(report, None)
    officer = Principal(
        "sub-officer", "officer.bench", frozenset({Role.OFFICER}), agency_id=agency_ref.id
    )
    caller = Caller(principal=officer)
    bootstrap.workflow().respond(reports[0].tracking_id, caller, message="Sedang kami cek.")
    reads.clear()
    for report in reports[1:]:
        done = bootstrap.workflow().respond(
            report.tracking_id, caller, message="Petugas kami sudah ke lokasi."
        )
        assert done.published
    per_op = {op: n / N_ACTIONS for op, n in sorted(Counter(reads.calls).items())}
    return len(reads.calls) / N_ACTIONS, per_op


def ensure_notifications_queue() -> None:
    """The reporter-notifications queue, if infra/ does not define it yet."""
    if os.environ.get("NOTIFICATIONS_QUEUE_URL"):
        return
    import boto3

    from devstack import emulator

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="satupintu-notifications-bench")["QueueUrl"]
    os.environ["NOTIFICATIONS_QUEUE_URL"] = url
    emulator.forget_cached_clients()


def main() -> None:
    emu = start_emulator()
    reads = Reads()
    try:
        from chalicelib import bootstrap
        from chalicelib.domain.calendar import WorkingCalendar
        from chalicelib.domain.report import AgencyRef

        ensure_notifications_queue()
        calendar = WorkingCalendar()
        refs = [AgencyRef(a.id, a.name) for a in agencies(5)]

        calls, per_op = officer_response_calls(reads, refs[0], calendar)
        print(f"aws calls per officer response: {per_op}")

        started = time.perf_counter()
        write(build(SMALL, refs, calendar, due=DUE))
        # averaged over the agencies: which shard a report lands in is chance
        small = sum(inbox_reads(reads, r.id) for r in refs) / len(refs)
        feed_small = feed_reads(reads)
        write(build(LARGE - SMALL, refs, calendar))
        large = sum(inbox_reads(reads, r.id) for r in refs) / len(refs)
        feed_large = feed_reads(reads)
        print(
            f"wrote {LARGE} reports in {time.perf_counter() - started:.0f} s; inbox page "
            f"items read: {small} with {SMALL}, {large} with {LARGE}; feed page items read: "
            f"{feed_small} with {SMALL}, {feed_large} with {LARGE}"
        )

        bootstrap.reset()  # a cold container: no directory caches
        bootstrap.override(clock=_Fixed(NOW))
        reads.clear()
        started = time.perf_counter()
        run = bootstrap.scheduler()
        elapsed = time.perf_counter() - started
        assert (run.warned, run.overdue, run.completed) == (
            DUE["warn"],
            DUE["overdue"],
            DUE["complete"],
        ), run
        assert "Scan" not in reads.calls
        due_items = sum(DUE.values())
        print(
            f"scheduler run: {run.as_dict()} in {elapsed:.1f} s; items read "
            f"{dict(reads.items)} by table {dict(reads.by_table)}; "
            f"calls {dict(Counter(reads.calls))}"
        )
        scheduler_reads = reads.total
        # The category taxonomy, read once per cold container (for the service levels of
        # an auto-completion): a fixed cost, whatever the number of due items.
        directory_reads = reads.by_table[os.environ.get("DIRECTORY_TABLE", "satupintu-directory")]
        reads.clear()
        again = bootstrap.scheduler()
        assert (again.warned, again.overdue, again.completed) == (0, 0, 0), again
        print(f"second run in the same hour: {again.as_dict()}, items read {reads.total}")
    finally:
        reads.close()
        emu.stop()
    print(
        json.dumps(
            {
                "inbox_items_read_ratio": round(large / small, 2),
                "inbox_items_read_1k": small,
                "inbox_items_read_10k": large,
                "feed_items_read_ratio": round(feed_large / feed_small, 2),
                "feed_items_read_1k": feed_small,
                "feed_items_read_10k": feed_large,
                "scheduler_reads_per_due_item": round(scheduler_reads / due_items, 2),
                "scheduler_items_read": scheduler_reads,
                "scheduler_directory_items_read": directory_reads,
                "scheduler_reads_per_due_item_without_directory": round(
                    (scheduler_reads - directory_reads) / due_items, 2
                ),
                "aws_calls_per_action": round(calls, 2),
            }
        )
    )


class _Fixed:
    def __init__(self, at):
        self.at = at

    def now(self):
        return self.at


if __name__ == "__main__":
    main()
