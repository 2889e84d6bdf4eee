"""The statistics projector: recorded changes of standing in, counters out, each change
counted exactly once.

The changes arrive from the timeline table's stream, at least once and in order per
report (a report's items share a partition key, so they share a stream shard). A
per-report checkpoint (the last ``seq`` counted) is written in the same transaction as
the counters it moved, so a redelivered change is recognised and skipped, and a crash
between two transactions loses nothing. A batch's deltas are summed before writing: a
counter several changes touch is written once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..domain.calendar import WorkingCalendar
from . import cells
from .standing import StatEvent

log = logging.getLogger(__name__)

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's TransactWriteItems limit
MAX_ATTEMPTS = 5


class CheckpointMoved(Exception):
    """Another projector counted some of these changes first (a concurrent redelivery)."""


class CellStore(Protocol):
    def checkpoints(self, tracking_ids: Iterable[str]) -> dict[str, int]:
        """The last ``seq`` counted per report (absent: none yet)."""

    def apply(self, deltas: cells.Deltas, moves: dict[str, tuple[int | None, int]]) -> None:
        """Add the deltas and move each report's checkpoint from ``old`` (None: none) to
        ``new``, all or nothing; raises CheckpointMoved if a checkpoint is not ``old``."""


@dataclass
class Projection:
    counted: int = 0  # changes counted now
    skipped: int = 0  # already counted (redelivered)
    transactions: int = 0
    items_written: int = 0  # counter items and checkpoints
    cells: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "counted": self.counted,
            "skipped": self.skipped,
            "transactions": self.transactions,
            "items_written": self.items_written,
        }


def project(
    changes: Iterable[StatEvent], store: CellStore, calendar: WorkingCalendar
) -> Projection:
    by_report: dict[str, list[StatEvent]] = {}
    for change in changes:
        by_report.setdefault(change.tracking_id, []).append(change)
    for events in by_report.values():
        events.sort(key=lambda e: e.seq)
    result = Projection()
    pending = dict(by_report)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        checkpoints = store.checkpoints(pending)
        retry: dict[str, list[StatEvent]] = {}
        for chunk in _chunks(pending, checkpoints, calendar, result):
            deltas, moves, counted = chunk
            try:
                store.apply(deltas, moves)
            except CheckpointMoved:
                if attempt == MAX_ATTEMPTS:
                    raise
                retry.update({tid: pending[tid] for tid in moves})
                continue
            result.counted += counted
            result.transactions += 1
            result.items_written += len(deltas) + len(moves)
        if not retry:
            break
        log.info("checkpoints moved meanwhile; counting %d report(s) again", len(retry))
        pending = retry
    return result


def _chunks(pending, checkpoints, calendar, result):
    """Transactions of whole reports (their deltas and checkpoint), at most 100 items."""
    deltas: cells.Deltas = {}
    moves: dict[str, tuple[int | None, int]] = {}
    counted = 0
    for tracking_id, events in pending.items():
        done = checkpoints.get(tracking_id)
        fresh = [e for e in events if done is None or e.seq > done]
        result.skipped += len(events) - len(fresh)
        if not fresh:
            continue
        own: cells.Deltas = {}
        for event in fresh:
            cells.combine(own, cells.deltas(event, calendar))
        own = cells.prune(own)
        if len(set(deltas) | set(own)) + len(moves) + 1 > MAX_TRANSACTION_ITEMS and moves:
            yield cells.prune(deltas), moves, counted
            deltas, moves, counted = {}, {}, 0
        cells.combine(deltas, {cell: Counter(c) for cell, c in own.items()})
        moves[tracking_id] = (done, fresh[-1].seq)
        counted += len(fresh)
    if moves:
        yield cells.prune(deltas), moves, counted


def recompute(changes: Iterable[StatEvent], calendar: WorkingCalendar) -> cells.Deltas:
    """Every counter from scratch: the sum of every change's deltas (each once)."""
    seen: set[tuple[str, int]] = set()
    total: cells.Deltas = {}
    for change in changes:
        key = (change.tracking_id, change.seq)
        if key in seen:
            continue
        seen.add(key)
        cells.combine(total, cells.deltas(change, calendar))
    return cells.prune(total)


@dataclass
class Projector:
    store: CellStore
    calendar: WorkingCalendar

    def project(self, changes: Iterable[StatEvent]) -> Projection:
        return project(changes, self.store, self.calendar)
