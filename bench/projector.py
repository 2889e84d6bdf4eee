"""Items the statistics projector writes per change of standing. Prints JSON last.

A national day: REPORTS reports submitted over one day across 600 agencies, 32
categories and ~530 regencies (uniformly: the worst case for sharing counters), each
then moved through the workflow at random over the following weeks (the same domain
code the API runs). Their recorded changes, in time order, go through the projector as
the stream delivers them, in batches of the size the function's event source asks for
(1,000 records, or what arrived within its 10 s window), then of 100, then one by one.

- projector_writes_per_event: items written (counters and checkpoints) per change at the
  configured batch size — target <= 2;
- the same at 100 and at 1 (a change alone in its batch: a quiet night);
- events_per_batch / transactions: how the writes were grouped.

`python bench/projector.py [--reports 20000]`
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import os  # noqa: E402

os.environ.setdefault("SATUPINTU_STAGE", "dev")

from chalicelib.domain.calendar import default_calendar  # noqa: E402
from chalicelib.domain.regions import PROVINCES  # noqa: E402
from chalicelib.stats.projector import Delivered, position, project  # noqa: E402
from tests.fakes import FakeStatsCells  # noqa: E402
from tests.stats_stories import Stories  # noqa: E402

BATCH_SIZE = 1000  # chalicelib/handlers/statistics.py


def workload(reports: int):
    categories = [c["code"] for c in json.loads((ROOT / "data/categories.json").read_text())]
    regions = [f"{p}.{r:02d}" for p in PROVINCES for r in range(1, 15)]
    stories = Stories(
        seed=2026, agencies_n=600, span_hours=24, categories=categories, regions=regions
    )
    changes = stories.many(reports)
    changes.sort(key=lambda c: (c.at, c.tracking_id, c.seq))
    return changes, len(categories), len(regions)


def run(changes, batch: int) -> dict:
    """One stream shard (a busy table has several, each carrying a random share of the
    reports: their batches look alike)."""
    store = FakeStatsCells()
    calendar = default_calendar()
    records = [Delivered(position(str(i)), c) for i, c in enumerate(changes)]
    started = time.perf_counter()
    for i in range(0, len(records), batch):
        project("shard", records[i : i + batch], store, calendar)
    seconds = time.perf_counter() - started
    return {
        "writes_per_event": round(store.items_written / len(changes), 3),
        "transactions": store.transactions,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20000)
    args = parser.parse_args()
    changes, n_categories, n_regions = workload(args.reports)
    at_size = run(changes, BATCH_SIZE)
    at_100 = run(changes, 100)
    alone = run(changes[:5000], 1)
    print(
        f"{args.reports} reports, {len(changes)} changes of standing, 600 agencies, "
        f"{n_categories} categories, {n_regions} regencies; batches of {BATCH_SIZE}: "
        f"{at_size}; of 100: {at_100}; one by one (first 5000): {alone}"
    )
    print(
        json.dumps(
            {
                "projector_writes_per_event": at_size["writes_per_event"],
                "projector_writes_per_event_batch_100": at_100["writes_per_event"],
                "projector_writes_per_event_unbatched": alone["writes_per_event"],
                "events": len(changes),
                "reports": args.reports,
                "batch_size": BATCH_SIZE,
                "transactions": at_size["transactions"],
            }
        )
    )


if __name__ == "__main__":
    main()
