"""Statistics read-side benchmark on the local stack. Prints one JSON object on its last line:

- stats_items_read_ratio: DynamoDB items read (Query ScannedCount, GetItem, BatchGetItem) to
  answer an agency's public indicators (GET /v1/stats/agencies/{id}, the last 30 days) and
  its executive's dashboard (GET /v1/dashboard: the agency and its 6 sub-units), with
  100,000 reports' aggregates stored / with 1,000 (target <= 1.0). The directory is read
  from the warm container's cache and not counted.
- dashboard_p95_ms: GET /v1/dashboard as exec.pemprov-dki-jakarta over HTTP on the local
  stack (Chalice's local server, Cognito tokens from the emulator) with 100,000 reports'
  aggregates loaded (N_TIMED requests after N_WARM), and the overdue list's 168 reports:
  moto answers an index Query by scanning the whole table, so it is timed before the
  reports table grows (the items-read figure is taken after).

The statistics cells are made as the projector makes them (``cells.deltas`` of each
report's recorded changes) and written with BatchWriteItem. 60 % of the reports go to the
measured agency tree, round robin over its 7 agencies and the last 70 days, so that with
1,000 reports already every agency has an item for every day a page reads: the pages read
a bounded number of items (days x scopes), and that bound is reached early. The reports
table holds the tree's overdue reports (what the dashboard's overdue list reads: 3 per
inbox shard with 1,000 reports, 300 with 100,000); the others exist as aggregates only.
The hourly summaries are computed once, with 1,000 reports: the dashboard reads one
summary item whatever it holds, and on the emulator the job's time is moto's (it
serializes wide items slowly), not the job's.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from _stack import free_port

if "SATUPINTU_DEVSTACK_DIR" not in os.environ:  # not the state of a `make run` stack
    os.environ["SATUPINTU_DEVSTACK_DIR"] = tempfile.mkdtemp(prefix="bench-stats-")

SMALL, LARGE = 1_000, 100_000
ROOT = "pemprov-dki-jakarta"  # 7 agencies with its sub-units; exec.pemprov-dki-jakarta
EXECUTIVE = "exec.pemprov-dki-jakarta"
DAYS = 70
TREE_SHARE = 6  # of 10
OVERDUE_PER_SHARD = {SMALL: 3, LARGE: 300}
N_WARM, N_TIMED = 3, 30
DYNAMODB_READS = ("GetItem", "BatchGetItem", "Query", "Scan")  # not the pump's SQS polls
JAKARTA = ("31.71", "31.72", "31.73", "31.74", "31.75")


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()


class Reads:
    """DynamoDB items read, by table, for every botocore call of this process."""

    def __init__(self):
        import botocore.client

        self.by_table: Counter = Counter()
        self.calls: Counter = Counter()
        self._client = botocore.client.BaseClient
        self._original = self._client._make_api_call
        reads = self

        def counting(client, operation, params):
            response = reads._original(client, operation, params)
            reads.calls[operation] += 1
            if operation in ("Query", "Scan"):
                reads.by_table[params["TableName"]] += response.get("ScannedCount", 0)
            elif operation == "GetItem":
                reads.by_table[params["TableName"]] += 1 if "Item" in response else 0
            elif operation == "BatchGetItem":
                for table, items in response["Responses"].items():
                    reads.by_table[table] += len(items)
            return response

        self._client._make_api_call = counting

    def clear(self):
        self.by_table.clear()
        self.calls.clear()

    def close(self):
        self._client._make_api_call = self._original


def lives(n: int, tree: list[str], others: list[str], categories: list[str], regencies):
    """The same first reports whatever ``n`` (one seed): 1,000 are the first of 100,000."""
    from tests.stats_fakes import Life

    rng = random.Random(9)
    end = today()
    out, k = [], 0
    for i in range(n):
        category = rng.choice(categories)
        if i % 10 < TREE_SHARE:
            agency = tree[k % len(tree)]
            day = end - timedelta(days=(k // len(tree)) % DAYS)
            region = rng.choice(JAKARTA)
            k += 1
        else:
            agency = rng.choice(others)
            day = end - timedelta(days=rng.randrange(DAYS))
            region = rng.choice(regencies)
        life = Life(day, category=category, region=region)
        if rng.random() < 0.05 and i % 10 >= TREE_SHARE:  # the tree's are all disposed
            out.append(life.archive(day))
            continue
        life.dispose(day, agency)
        wait = rng.randrange(9)
        answered = day + timedelta(days=wait)
        if rng.random() < 0.7 and answered <= end:
            life.respond(answered, on_time=wait <= 5)
            closed = answered + timedelta(days=14)
            if rng.random() < 0.6 and closed <= end:
                life.complete(closed, rating=rng.choice((1, 3, 4, 4, 5, 5)))
        elif day + timedelta(days=8) <= end:
            life.overdue(day + timedelta(days=8))
        out.append(life)
    return out


def write_cells(table) -> int:
    import boto3

    from chalicelib.config import settings

    client = boto3.client("dynamodb")
    items = []
    for (pk, sk), counters in table.items():
        item = {"pk": {"S": pk}, "sk": {"S": sk}}
        item |= {name: {"N": str(n)} for name, n in counters.items()}
        items.append({"PutRequest": {"Item": item}})
    name = settings().stats_table
    for start in range(0, len(items), 25):
        batch = {name: items[start : start + 25]}
        while batch:
            batch = client.batch_write_item(RequestItems=batch).get("UnprocessedItems")
    return len(items)


def write_overdue(tree: list[str], per_shard: int, already: int) -> int:
    """Reports of the tree waiting for a first response whose deadline has passed,
    ``per_shard`` in each of each agency's inbox shards."""
    from chalicelib.adapters import partitions
    from chalicelib.adapters.dynamodb_models import ReportItem
    from chalicelib.adapters.report_repository import _to_item
    from chalicelib.domain import tracking_id
    from chalicelib.domain.calendar import WorkingCalendar
    from chalicelib.domain.deadlines import SlaClock
    from chalicelib.domain.report import Actor, AgencyRef
    from tests.builders import submitted_report

    sla = SlaClock(WorkingCalendar())
    admin = Actor("platform_admin", "admin")
    now = datetime.now(UTC)
    written = 0
    with ReportItem.batch_write() as batch:
        for agency in tree:
            for shard in range(partitions.INBOX_SHARDS):
                for n in range(already, per_shard):
                    tid = tracking_id.generate()
                    while partitions.shard(tid, partitions.INBOX_SHARDS) != shard:
                        tid = tracking_id.generate()
                    disposed = now - timedelta(days=15, minutes=n * 7 + shard)
                    report = submitted_report(disposed - timedelta(hours=1), tid, sla=sla)
                    report.dispose(
                        AgencyRef(agency, agency),
                        actor=admin,
                        at=disposed,
                        rule="admin",
                        reason="bench",
                        sla=sla,
                    )
                    report.events.clear()
                    report.version = 1
                    batch.save(_to_item(report))
                    written += 1
    return written


def items_read(reads, principal) -> dict:
    """Items read for the agency's page and the executive's dashboard, warm."""
    from chalicelib import bootstrap
    from chalicelib.config import settings

    stats = bootstrap.statistics()
    period = stats.period("last30")
    repo = bootstrap.reports()
    stats.agency(ROOT, period)  # warm: clients and the directory's cache
    reads.clear()
    page = stats.agency(ROOT, period)
    public = dict(reads.by_table)
    reads.clear()
    dashboard = stats.dashboard(principal, None, period, repo)
    private = dict(reads.by_table)
    calls = {op: n for op, n in reads.calls.items() if op in DYNAMODB_READS}
    assert "Scan" not in reads.calls, reads.calls
    assert len(dashboard["overdue"]["items"]) == 20
    counted = (settings().stats_table, settings().reports_table)
    return {
        "agency_page": sum(v for k, v in public.items() if k in counted),
        "dashboard": sum(v for k, v in private.items() if k in counted),
        "dashboard_by_table": private,
        "dashboard_calls": calls,
        "received": page["indicators"]["received"],
    }


def call_ms(n: int = 50) -> float:
    """The emulator's answer to one small GetItem, median (what every call costs here)."""
    from chalicelib import bootstrap

    reader = bootstrap.get("stats")
    out = []
    for _ in range(n):
        started = time.perf_counter()
        reader.summary("emerging")
        out.append((time.perf_counter() - started) * 1000)
    return statistics.median(out)


def timed(url: str, headers: dict) -> list[float]:
    import requests

    with requests.Session() as http:
        for _ in range(N_WARM):
            http.get(url, headers=headers, timeout=60).raise_for_status()
        out = []
        for _ in range(N_TIMED):
            started = time.perf_counter()
            http.get(url, headers=headers, timeout=60).raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    from devstack.stack import LocalStack

    stack = LocalStack(api_port=free_port(), emulator_port=free_port()).start()
    reads = Reads()
    try:
        from chalicelib import bootstrap
        from chalicelib.domain import policy, regions
        from chalicelib.domain.identity import Principal, Role
        from chalicelib.services.statistics import publish_summaries
        from chalicelib.stats import cells
        from devstack import resources, seed
        from devstack.stack import read_state
        from tests.stats_fakes import cells_of

        directory = bootstrap.directory()
        agencies = [a for a in directory.all_agencies() if a.active]
        tree = policy.descendants(ROOT, agencies)
        others = [a.id for a in agencies if a.id not in tree]
        categories = sorted({c.code for c in directory.categories()})
        regencies = [f"{p}.{r:02d}" for p in regions.PROVINCES for r in (1, 2, 3, 71)]
        principal = Principal("bench", EXECUTIVE, frozenset({Role.EXECUTIVE}), agency_id=ROOT)

        state = read_state()
        idp = resources._client("cognito-idp", state["endpoint"])
        token = seed.id_token(idp, state["user_pool_id"], state["client_id"], EXECUTIVE)

        figures = {}
        for n in (SMALL, LARGE):
            started = time.perf_counter()
            table = cells_of(lives(n, tree, others, categories, regencies))
            made = time.perf_counter() - started
            started = time.perf_counter()
            items = write_cells(table)
            print(
                f"{n} reports: {items} stats items ({sum(1 for k in table if k[1] != cells.NOW)} "
                f"day items) made in {made:.0f} s, written in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            if n == SMALL:
                write_overdue(tree, OVERDUE_PER_SHARD[SMALL], 0)
                # Once: the dashboard reads one summary item whatever it holds (the hourly
                # job's own cost on the emulator is moto's, see the module's docstring).
                publish_summaries(
                    bootstrap.get("stats"), directory, bootstrap.clock(), "Asia/Jakarta"
                )
            else:
                # Over HTTP with the aggregates of 100,000 reports, before the overdue list
                # grows: moto answers every index Query by scanning the whole table
                # (DynamoDB reads only what it returns), so 16,800 report items would
                # time moto, not the dashboard.
                latency = call_ms()
                dashboard_ms = timed(
                    f"{stack.api_url}/v1/dashboard", {"Authorization": f"Bearer {token}"}
                )
                page_ms = timed(f"{stack.api_url}/v1/stats/agencies/{ROOT}", {})
                print(
                    f"  one GetItem on the emulator: {latency:.1f} ms (median); "
                    f"over HTTP: dashboard p50 {statistics.median(dashboard_ms):.0f} ms, "
                    f"p95 {p95(dashboard_ms):.0f} ms; agency page p50 "
                    f"{statistics.median(page_ms):.0f} ms, p95 {p95(page_ms):.0f} ms",
                    flush=True,
                )
                started = time.perf_counter()
                written = write_overdue(tree, OVERDUE_PER_SHARD[LARGE], OVERDUE_PER_SHARD[SMALL])
                print(f"  {written} more overdue reports in {time.perf_counter() - started:.0f} s")
            figures[n] = items_read(reads, principal)
            print(f"  items read: {figures[n]}", flush=True)

    finally:
        reads.close()
        stack.stop()
    small = figures[SMALL]["agency_page"] + figures[SMALL]["dashboard"]
    large = figures[LARGE]["agency_page"] + figures[LARGE]["dashboard"]
    print(
        json.dumps(
            {
                "stats_items_read_ratio": round(large / small, 3),
                "stats_items_read_1k": small,
                "stats_items_read_100k": large,
                "agency_page_items_read_100k": figures[LARGE]["agency_page"],
                "dashboard_items_read_100k": figures[LARGE]["dashboard"],
                "dashboard_p50_ms": round(statistics.median(dashboard_ms), 1),
                "dashboard_p95_ms": round(p95(dashboard_ms), 1),
                "agency_page_p95_ms": round(p95(page_ms), 1),
                "emulator_getitem_ms": round(latency, 1),
                "dashboard_aws_calls": sum(figures[LARGE]["dashboard_calls"].values()),
                "tree_agencies": len(tree),
            }
        )
    )


if __name__ == "__main__":
    main()
