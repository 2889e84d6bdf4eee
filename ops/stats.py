"""`python -m ops rebuild-stats`: every counter recomputed from the timeline.

Reads every timeline item that records a change of standing (a parallel Scan: this is an
operator's tool, never a request path), sums what each change adds (each once), and
replaces the counters in the stats table with the sums: cells that no longer count
anything are deleted, every report's checkpoint is set to its last change, so the
projector, once running again, counts only what came after.

Pause the projector while it runs (disable its event source mapping; locally, stop
`make run`): a change the projector counts meanwhile could otherwise be counted twice.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterable, Iterator

from chalicelib.adapters.stats_cells import CHECKPOINT_SECONDS, CHECKPOINT_SK
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.stats.projector import recompute
from chalicelib.stats.standing import StatEvent

COUNTER_PREFIXES = ("nat", "prov:", "agency:")
SEGMENTS = 4


def scan_changes(client, table: str, progress: Callable[[int], None]) -> list[StatEvent]:
    """Every recorded change in the timeline table (parallel scan segments)."""

    def segment(n: int) -> list[StatEvent]:
        found = []
        pages = client.get_paginator("scan").paginate(
            TableName=table,
            Segment=n,
            TotalSegments=SEGMENTS,
            FilterExpression="attribute_exists(stats)",
            ProjectionExpression="tracking_id, seq, #at, stats",
            ExpressionAttributeNames={"#at": "at"},
        )
        for page in pages:
            for item in page["Items"]:
                found.append(_change(item))
            progress(page["ScannedCount"])
        return found

    with concurrent.futures.ThreadPoolExecutor(SEGMENTS) as pool:
        return [c for part in pool.map(segment, range(SEGMENTS)) for c in part]


def _change(item: dict) -> StatEvent:
    from datetime import datetime

    return StatEvent.decode(
        item["tracking_id"]["S"],
        int(item["seq"]["N"]),
        datetime.fromisoformat(item["at"]["S"]),
        item["stats"]["S"],
    )


def existing_counter_keys(client, table: str) -> Iterator[tuple[str, str]]:
    for page in client.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression="pk, sk"
    ):
        for item in page["Items"]:
            pk = item["pk"]["S"]
            if pk.startswith(COUNTER_PREFIXES):
                yield pk, item["sk"]["S"]


def rebuild(
    client,
    events_table: str,
    stats_table: str,
    calendar: WorkingCalendar,
    *,
    scanned: Callable[[int], None] = lambda n: None,
    written: Callable[[Iterable], Iterable] = lambda rows: rows,
    now: Callable[[], float] = time.time,
) -> dict:
    changes = scan_changes(client, events_table, scanned)
    cells = recompute(changes, calendar)
    last: dict[str, int] = {}
    for change in changes:
        last[change.tracking_id] = max(change.seq, last.get(change.tracking_id, 0))
    stale = set(existing_counter_keys(client, stats_table)) - set(cells)
    expires = str(int(now()) + CHECKPOINT_SECONDS)
    requests = [{"DeleteRequest": {"Key": _key(pk, sk)}} for pk, sk in sorted(stale)]
    for (pk, sk), counters in sorted(cells.items()):
        item = _key(pk, sk) | {name: {"N": str(n)} for name, n in counters.items()}
        requests.append({"PutRequest": {"Item": item}})
    for tracking_id, seq in sorted(last.items()):
        item = _key(f"cp#{tracking_id}", CHECKPOINT_SK) | {
            "seq": {"N": str(seq)},
            "expires_at": {"N": expires},
        }
        requests.append({"PutRequest": {"Item": item}})
    chunks = [requests[i : i + 25] for i in range(0, len(requests), 25)]
    for chunk in written(chunks):
        _write(client, stats_table, chunk)
    return {
        "changes": len(changes),
        "reports": len(last),
        "cells": len(cells),
        "deleted": len(stale),
    }


def _key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _write(client, table: str, chunk: list[dict]) -> None:
    pending, pause = {table: chunk}, 0.05
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
        if pending:
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
