"""The statistics projector: recorded changes of standing in, counters out, each change
counted exactly once.

The changes arrive from the timeline table's stream, shard by shard: within a shard,
records come in order the first time and may come again (a retried batch, a redelivery
from an earlier point). Each shard has a checkpoint, the stream position of the last
change counted, written in the same transaction as the counters it moved; a change at or
before it is skipped. A batch's changes are counted in runs of consecutive changes whose
counters fit one transaction (100 items), and within a run a counter several changes
touch is written once.

``ops rebuild-stats`` leaves, per report, the last change it counted; the projector skips
those too, so a stream read after a rebuild counts nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domain.calendar import WorkingCalendar
from . import cells
from .standing import StatEvent

log = logging.getLogger(__name__)

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's TransactWriteItems limit
MAX_ATTEMPTS = 5


class CheckpointMoved(Exception):
    """Another invocation counted some of these changes first."""


@dataclass(frozen=True)
class Delivered:
    """A change as the stream delivered it: its position in its shard (a sequence number
    zero-padded to sort as it compares)."""

    position: str
    change: StatEvent


def position(sequence_number: str) -> str:
    return sequence_number.rjust(40, "0")


class CellStore(Protocol):
    def shard_checkpoint(self, shard: str) -> str | None:
        """The position of the last change counted from this shard (None: none yet)."""

    def rebuilt(self, tracking_ids: Iterable[str]) -> dict[str, int]:
        """Per report, the last change ``ops rebuild-stats`` counted (absent: none)."""

    def apply(self, deltas: cells.Deltas, shard: str, old: str | None, new: str) -> None:
        """Add the deltas and move the shard's checkpoint from ``old`` to ``new``, all or
        nothing; raises CheckpointMoved if the checkpoint is not ``old``."""


@dataclass
class Projection:
    counted: int = 0  # changes counted now
    skipped: int = 0  # already counted (redelivered, or by a rebuild)
    transactions: int = 0
    items_written: int = 0  # counter items and checkpoints

    def as_dict(self) -> dict:
        return {
            "counted": self.counted,
            "skipped": self.skipped,
            "transactions": self.transactions,
            "items_written": self.items_written,
        }


def project(
    shard: str,
    batch: Sequence[Delivered],
    store: CellStore,
    calendar: WorkingCalendar,
) -> Projection:
    batch = sorted(batch, key=lambda d: d.position)
    rebuilt = store.rebuilt({d.change.tracking_id for d in batch}) if batch else {}
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = Projection()
        done = store.shard_checkpoint(shard)
        fresh = [d for d in batch if done is None or d.position > done]
        skipped = len(batch) - len(fresh)
        try:
            for deltas, run in _runs(fresh, rebuilt, calendar, result):
                store.apply(deltas, shard, done, run[-1].position)
                done = run[-1].position
                result.transactions += 1
                result.items_written += len(deltas) + 1
            result.skipped += skipped
            return result
        except CheckpointMoved:
            if attempt == MAX_ATTEMPTS:
                raise
            log.info("the shard's checkpoint moved meanwhile; reading it again")
    raise AssertionError("unreachable")


def _runs(fresh: list[Delivered], rebuilt: dict[str, int], calendar, result):
    """Runs of consecutive changes whose counters (and the checkpoint) fit a transaction."""
    deltas: cells.Deltas = {}
    run: list[Delivered] = []
    for delivered in fresh:
        change = delivered.change
        if change.seq <= rebuilt.get(change.tracking_id, 0):
            own: cells.Deltas = {}  # counted by the rebuild: only the checkpoint moves
            result.skipped += 1
        else:
            own = cells.deltas(change, calendar)
            result.counted += 1
        if run and len(set(deltas) | set(own)) + 1 > MAX_TRANSACTION_ITEMS:
            yield cells.prune(deltas), run
            deltas, run = {}, []
        cells.combine(deltas, own)
        run.append(delivered)
    if run:
        yield cells.prune(deltas), run


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

    def project(self, shard: str, batch: Sequence[Delivered]) -> Projection:
        return project(shard, batch, self.store, self.calendar)
