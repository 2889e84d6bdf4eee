"""The statistics on the emulator: reports stored through the real repository, their
timeline items read from the table's stream by the event pump, counted by the projector
function into a stats table, compared with a brute-force recomputation from the raw
timeline and with the reports as they are now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb_models import ReportEventItem, ReportItem
from chalicelib.adapters.report_repository import DynamoReportRepository
from chalicelib.adapters.stats_cells import DynamoStatsCells
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain.calendar import default_calendar
from chalicelib.domain.report import AgencyRef
from chalicelib.stats import cells
from chalicelib.stats.projector import recompute
from chalicelib.stats.standing import StatEvent
from devstack.emulator import REGION
from devstack.pump import EventPump, StreamReader
from ops.stats import rebuild
from tests.stats_stories import Stories

CAL = default_calendar()
T0 = datetime(2026, 11, 2, 3, tzinfo=UTC)


class PersistedStories(Stories):
    """The stories, each commit stored through the repository / unit of work."""

    def _commit(self, report):
        if not report.pending_events:
            return
        if report.version is None:
            DynamoReportRepository().add_new(report, None)
        else:
            uow = DynamoUnitOfWork()
            uow.reports.save(report)
            uow.commit()
        report.events.clear()


class FlakyStatsCells(DynamoStatsCells):
    """Its second transaction fails (throttled): the pump retries the batch."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def apply(self, deltas, shard, old, new):
        self.calls += 1
        if self.calls == 2:
            raise ConnectionError("stats table throttled")
        return super().apply(deltas, shard, old, new)


def _stats_table(aws, template_table: str) -> str:
    """A fresh stats table shaped like the stack's, so other tests' counters stay out."""
    client = aws("dynamodb")
    shape = client.describe_table(TableName=template_table)["Table"]
    name = f"stats-test-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=shape["KeySchema"],
        AttributeDefinitions=shape["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _counters(aws, table: str) -> dict:
    out = {}
    for page in aws("dynamodb").get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            pk, sk = item.pop("pk")["S"], item.pop("sk")["S"]
            if pk.startswith(("cp#", "shard#")):
                continue
            kept = {k: int(v["N"]) for k, v in item.items() if int(v["N"])}
            if kept:
                out[(pk, sk)] = kept
    return out


def _raw_changes() -> list[StatEvent]:
    return [
        StatEvent.decode(e.tracking_id, int(e.seq), e.at, e.stats)
        for e in ReportEventItem.scan(ReportEventItem.stats.exists())
    ]


@pytest.fixture(scope="module")
def projected(stack):
    import app

    aws = stack.client
    prefix = uuid.uuid4().hex[:6]
    stories = PersistedStories(seed=5, agencies_n=6)
    stories.agencies = [AgencyRef(f"stat-{prefix}-{i}", f"Instansi {i}") for i in range(6)]

    t0 = time.time()
    with ThreadPoolExecutor(8) as pool:  # the emulator takes ~50 ms a transaction
        ids = [r.tracking_id for r in pool.map(stories.report, range(200))]
    assert len(set(ids)) == 200

    table = _stats_table(aws, stack.env["STATS_TABLE"])
    store = FlakyStatsCells(table=table)
    bootstrap.override(stats_cells=store)
    pump = EventPump(app.app, aws("sqs"), REGION)
    pump._stop.wait = lambda seconds: False  # no pause before a retry
    (sub,) = pump.stream_subscriptions()
    reader = StreamReader(pump, sub)
    try:
        for _ in range(1000):
            if not reader.poll_once() and not reader.failures:
                break
        print(f"stored and projected in {time.time() - t0:.0f} s")
        yield {
            "table": table,
            "reader": reader,
            "store": store,
            "agencies": stories.agencies,
            "ids": ids,
        }
    finally:
        bootstrap.reset()


def test_the_counters_equal_a_brute_force_recomputation_from_the_timeline(aws, projected):
    """Although a transaction failed on the way (the batch was retried)."""
    assert projected["store"].calls > 2
    expected = {cell: dict(c) for cell, c in recompute(_raw_changes(), CAL).items()}
    assert _counters(aws, projected["table"]) == expected
    assert len(expected) > 50


def test_the_gauges_equal_the_reports_as_they_are_now(aws, projected):
    """Independently of the projector's rules: count the stored reports."""
    open_now, overdue = Counter(), Counter()
    for agency in projected["agencies"]:
        for item in ReportItem.scan(ReportItem.agency_id == agency.id):
            if item.status in cells.OPEN_STATUSES:
                open_now[(agency.id, item.status)] += 1
                if item.deadline is not None and item.deadline.state == "overdue":
                    overdue[agency.id] += 1
    counters = _counters(aws, projected["table"])
    for agency in projected["agencies"]:
        now = counters.get((cells.agency_pk(agency.id), cells.NOW), {})
        for status in cells.OPEN_STATUSES:
            assert now.get(f"all|open:{status}", 0) == open_now[(agency.id, status)]
        assert now.get("all|overdue", 0) == overdue[agency.id]
    assert sum(open_now.values()) > 20


def test_what_each_agency_received_equals_its_assignments_in_the_timeline(aws, projected):
    """Independently again: an assignment is a 'disposed' or 'rerouted' timeline entry whose
    note names the agency; count them per agency and Jakarta day."""
    names = {a.name: a.id for a in projected["agencies"]}
    expected = Counter()
    for tracking_id in projected["ids"]:
        for event in ReportEventItem.query(tracking_id):
            if event.action in ("disposed", "rerouted") and event.note in names:
                day = cells.day_key(event.at.astimezone(CAL.tz).date())
                expected[(cells.agency_pk(names[event.note]), day)] += 1
    counters = _counters(aws, projected["table"])
    got = Counter(
        {
            cell: c["all|received"]
            for cell, c in counters.items()
            if cell[0] in {cells.agency_pk(a) for a in names.values()} and "all|received" in c
        }
    )
    assert got == expected
    assert sum(expected.values()) > 50


def test_the_stream_read_again_from_the_start_counts_nothing_twice(aws, projected):
    before = _counters(aws, projected["table"])
    reader = projected["reader"]
    reader.iterators.clear()  # back to TRIM_HORIZON: every record is delivered again
    while reader.poll_once():
        pass
    assert _counters(aws, projected["table"]) == before


def test_rebuild_stats_replaces_wrong_counters_with_the_recomputation(aws, stack, projected):
    table = _stats_table(aws, stack.env["STATS_TABLE"])
    client = aws("dynamodb")
    client.put_item(  # a counter nothing supports, and a wrong one
        TableName=table,
        Item={"pk": {"S": "agency:ghost"}, "sk": {"S": "now"}, "all|overdue": {"N": "3"}},
    )
    client.put_item(
        TableName=table,
        Item={"pk": {"S": "nat"}, "sk": {"S": "now"}, "all|open:unverified": {"N": "-7"}},
    )
    result = rebuild(client, stack.env["REPORT_EVENTS_TABLE"], table, CAL)
    expected = {cell: dict(c) for cell, c in recompute(_raw_changes(), CAL).items()}
    assert _counters(aws, table) == expected == _counters(aws, projected["table"])
    assert result["deleted"] == 1 and result["changes"] >= 800

    # the checkpoints are set: the projector, running again, counts nothing twice
    bootstrap.override(stats_cells=DynamoStatsCells(table=table))
    try:
        reader = projected["reader"]
        reader.iterators.clear()
        while reader.poll_once():
            pass
    finally:
        bootstrap.reset()
    assert _counters(aws, table) == expected


def test_the_rebuild_command_runs_as_the_readme_says(aws, stack):
    done = subprocess.run(
        [sys.executable, "-m", "ops", "rebuild-stats"],
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["changes"] > 0
    assert "timeline items read" in done.stderr  # the progress bar
    expected = {cell: dict(c) for cell, c in recompute(_raw_changes(), CAL).items()}
    assert _counters(aws, stack.env["STATS_TABLE"]) == expected


def test_a_cancelled_transaction_leaves_nothing_in_the_stream(aws, stack, projected):
    """DynamoDB streams only what commits; the local emulator must too (it rolls back a
    cancelled transaction's writes, and used to leave them in the stream)."""
    from chalicelib.services.ports import TrackingIdTaken
    from tests.builders import submitted_report

    streams, dynamodb = aws("dynamodbstreams"), aws("dynamodb")
    arn = dynamodb.describe_table(TableName=stack.env["REPORT_EVENTS_TABLE"])["Table"][
        "LatestStreamArn"
    ]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]

    def records() -> int:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        return len(streams.get_records(ShardIterator=iterator, Limit=100000)["Records"])

    existing = projected["ids"][0]
    before = records()
    with pytest.raises(TrackingIdTaken):  # the report's put is refused: all is cancelled
        DynamoReportRepository().add_new(submitted_report(T0, existing), None)
    assert records() == before
