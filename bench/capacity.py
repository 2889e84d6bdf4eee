"""Partition load at national scale, from the key design (no emulator: DynamoDB's limits
are what matter). Prints one JSON object on its last line:

- max_partition_load_at_2000_rps: the busiest partition of the reports table or any of
  its indexes while 2,000 reports a second arrive, as a fraction of DynamoDB's 1,000
  writes per second per partition (target <= 0.5).

Each report's writes are replayed through the real domain and the real key functions
(``adapters/partitions.py``, ``report_repository.index_keys``): submission (with its
verification deadline and outbox entry), then the router's decision. An index write is
counted the way DynamoDB counts it: a new entry is a put, a removed one a delete, a key
that moves is a delete and a put, and an index that projects every attribute is written
whenever the item changes (the feed's INCLUDE projections too: they hold updated_at). Two
bursts are measured: every report routed to ONE agency (the worst case for that agency's
inbox and the feed's partitions) and every report left for verification.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SATUPINTU_STAGE", "dev")  # key formats only: no AWS is called

RATE = 2000  # reports per second
LIMIT = 1000  # writes per second one DynamoDB partition takes
REPORTS = 20_000

# index -> (partition key attribute, projects every attribute?)
INDEXES = {
    "outbox": ("outbox", False),
    "verification-queue": ("verification", True),
    "inbox": ("inbox_pk", True),
    "inbox-category": ("inbox_cat_pk", True),
    "deadlines": ("due_shard", False),
    # the public feed: INCLUDE projections that hold updated_at, so rewritten at every change
    "feed": ("feed_pk", True),
    "feed-agency": ("feed_agency_pk", True),
    "feed-category": ("feed_category_pk", True),
    "feed-province": ("feed_province_pk", True),
    "feed-regency": ("feed_regency_pk", True),
}
SORT_KEYS = {
    "outbox": "created_at",
    "verification-queue": "queue_key",
    "inbox": "inbox_sk",
    "inbox-category": "inbox_sk",
    "deadlines": "due_at",
    **{index: "feed_sk" for index in INDEXES if index.startswith("feed")},
}


def keys_of(report, outbox: str | None) -> dict:
    from chalicelib.adapters.report_repository import index_keys

    keys = index_keys(report)
    keys["outbox"] = outbox
    keys["created_at"] = report.created_at
    return keys


def index_writes(before: dict | None, after: dict) -> Counter:
    """(index, partition) -> writes for one change of one item."""
    writes: Counter = Counter()
    for index, (attr, all_attributes) in INDEXES.items():
        old = before.get(attr) if before else None
        new = after.get(attr)
        if old is None and new is None:
            continue
        if old is None:
            writes[(index, new)] += 1
        elif new is None:
            writes[(index, old)] += 1
        elif old != new or before.get(SORT_KEYS[index]) != after.get(SORT_KEYS[index]):
            writes[(index, old)] += 1  # an entry whose key moves is deleted...
            writes[(index, new)] += 1  # ... and put again
        elif all_attributes:
            writes[(index, new)] += 1  # the projected copy is rewritten
    return writes


def burst(routed: bool) -> tuple[Counter, Counter]:
    from chalicelib.adapters import partitions
    from chalicelib.domain import tracking_id
    from chalicelib.domain.calendar import WorkingCalendar
    from chalicelib.domain.deadlines import SlaClock
    from chalicelib.domain.report import Actor, AgencyRef, Channel, Report, ReportKind

    sla = SlaClock(WorkingCalendar())
    at = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
    router = Actor.system("router")
    agency = AgencyRef("pemkot-bandung", "Pemerintah Kota Bandung")
    index_load: Counter = Counter()
    base_load: Counter = Counter()
    for _ in range(REPORTS):
        tid = tracking_id.generate()
        report = Report.submit(
            at=at,
            sla=sla,
            tracking_id=tid,
            kind=ReportKind.COMPLAINT,
            title="Jalan rusak",
            description="Jalan rusak di depan pasar sejak lama.",
            channel=Channel.WEB,
            anonymous=False,
            confidential=False,
            access_token_hash="h" * 64,
            category="infrastruktur" if routed else None,
            region="32.73",
        )
        submitted = keys_of(report, partitions.outbox_key(tid))
        index_load.update(index_writes(None, submitted))
        base_load[tid] += 1 + len(report.pending_events)  # the report and its first event
        report.pending_events.clear()
        if routed:
            report.dispose(agency, actor=router, at=at, rule="regional", reason="", sla=sla)
        else:
            report.hold_for_verification(actor=router, at=at, rule="no-category", reason="")
        decided = keys_of(report, None)  # the router acknowledges the outbox
        index_load.update(index_writes(submitted, decided))
        base_load[tid] += 1 + len(report.pending_events)
    return index_load, base_load


def main() -> None:
    results = {}
    worst = 0.0
    for name, routed in (("one_agency", True), ("all_to_verification", False)):
        index_load, base_load = burst(routed)
        per_index: dict[str, float] = {}
        for (index, _), writes in index_load.items():
            load = writes / REPORTS * RATE / LIMIT
            per_index[index] = max(per_index.get(index, 0.0), load)
        # Base tables are keyed by tracking id: each key sees its own report's writes once.
        per_index["base (per tracking id)"] = max(base_load.values()) / LIMIT
        results[name] = {k: round(v, 3) for k, v in sorted(per_index.items())}
        worst = max(worst, *per_index.values())
        print(f"{name}: busiest partition per index, fraction of {LIMIT} writes/s:")
        for index, load in sorted(per_index.items()):
            print(f"  {index:<24} {load:.3f}")
    print(
        json.dumps(
            {
                "max_partition_load_at_2000_rps": round(worst, 3),
                "rate_per_s": RATE,
                "partition_limit_writes_per_s": LIMIT,
                "by_scenario": results,
            }
        )
    )


if __name__ == "__main__":
    main()
