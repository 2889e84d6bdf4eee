"""The projector counts every change exactly once, whatever the stream does."""

import pytest

from chalicelib.domain.calendar import default_calendar
from chalicelib.stats import cells
from chalicelib.stats.projector import CheckpointMoved, Delivered, position, project, recompute
from tests.fakes import FakeStatsCells
from tests.stats_stories import Stories

CAL = default_calendar()


@pytest.fixture(scope="module")
def changes():
    found = Stories(seed=11).many(300)
    found.sort(key=lambda c: (c.at, c.tracking_id, c.seq))  # commit order
    return found


def stream(changes, shards=1):
    """The changes as a stream delivers them: each report's changes in one shard, in order,
    at increasing positions."""
    out = {f"shard-{n}": [] for n in range(shards)}
    for i, change in enumerate(changes):
        shard = f"shard-{hash(change.tracking_id) % shards}"
        out[shard].append(Delivered(position(str(1000 + i)), change))
    return out


def expected(changes):
    return {cell: dict(c) for cell, c in recompute(changes, CAL).items()}


def batches(records, size):
    return [records[i : i + size] for i in range(0, len(records), size)]


def test_the_counters_equal_a_recomputation(changes):
    store = FakeStatsCells()
    for shard, records in stream(changes, shards=3).items():
        for batch in batches(records, 100):
            project(shard, batch, store, CAL)
    assert store.counters() == expected(changes)
    assert len(changes) > 500  # a real mix, not a handful


def test_a_redelivered_batch_counts_nothing_again(changes):
    store = FakeStatsCells()
    (records,) = stream(changes).values()
    for batch in batches(records, 50):
        project("s", batch, store, CAL)
        second = project("s", batch, store, CAL)
        assert second.counted == 0 and second.skipped == len(batch)
        assert second.items_written == 0
    assert store.counters() == expected(changes)


def test_redelivery_from_an_earlier_point_overlapping_new_changes(changes):
    """Lambda re-reads from its last checkpoint: old and new changes in one batch."""
    store = FakeStatsCells()
    (records,) = stream(changes).values()
    for i in range(0, len(records), 40):
        project("s", records[max(0, i - 25) : i + 40], store, CAL)
    assert store.counters() == expected(changes)


def test_a_failure_midway_loses_and_doubles_nothing(changes):
    store = FakeStatsCells()
    (records,) = stream(changes).values()
    store.fail_at = 2  # the second transaction fails: the first one is in
    with pytest.raises(ConnectionError):
        project("s", records[:600], store, CAL)
    assert store.transactions == 1
    project("s", records[:700], store, CAL)  # retried, with more records this time
    project("s", records[700:], store, CAL)
    assert store.counters() == expected(changes)


def test_a_concurrent_invocation_of_the_same_batch_is_not_double_counted(changes):
    store = FakeStatsCells()
    (records,) = stream(changes).values()

    def meanwhile(store_):  # another invocation counts the same batch first
        project("s", records[:60], store_, CAL)

    store.interfere = meanwhile
    project("s", records[:60], store, CAL)
    project("s", records[60:], store, CAL)
    assert store.counters() == expected(changes)


def test_shards_keep_their_own_checkpoints(changes):
    store = FakeStatsCells()
    shards = stream(changes, shards=4)
    for shard, records in shards.items():  # one shard after the other, twice
        project(shard, records, store, CAL)
    for shard, records in shards.items():
        assert project(shard, records, store, CAL).counted == 0
    assert set(store.shards) == set(shards)
    assert store.counters() == expected(changes)


def test_transactions_hold_at_most_100_items(changes):
    store = FakeStatsCells()  # asserts the limit on every transaction
    (records,) = stream(changes).values()
    result = project("s", records, store, CAL)
    assert result.transactions > 1
    assert store.counters() == expected(changes)


def test_a_counter_touched_by_many_changes_is_written_once_per_transaction(changes):
    (records,) = stream(changes).values()
    batched, alone = FakeStatsCells(), FakeStatsCells()
    project("s", records[:300], batched, CAL)
    for record in records[:300]:
        project("s", [record], alone, CAL)
    assert batched.counters() == alone.counters()
    assert batched.items_written < alone.items_written / 2


def test_changes_a_rebuild_counted_are_skipped(changes):
    store = FakeStatsCells()
    (records,) = stream(changes).values()
    first, rest = records[:200], records[200:]
    # the rebuild counted the first 200 and left each report's last change counted
    for cell, counters in recompute([r.change for r in first], CAL).items():
        store.cells[cell] = counters
    for r in first:
        store.rebuilt_at[r.change.tracking_id] = max(
            r.change.seq, store.rebuilt_at.get(r.change.tracking_id, 0)
        )
    result = project("s", records, store, CAL)  # the stream read from its start
    assert result.skipped == 200
    assert store.counters() == expected(changes)
    assert rest


def test_the_projector_gives_up_after_repeated_interference(changes):
    class Stubborn(FakeStatsCells):
        def apply(self, deltas, shard, old, new):
            raise CheckpointMoved()

    (records,) = stream(changes).values()
    with pytest.raises(CheckpointMoved):
        project("s", records[:5], Stubborn(), CAL)


def test_gauges_never_go_negative(changes):
    store = FakeStatsCells()
    (records,) = stream(changes).values()
    project("s", records, store, CAL)
    for (pk, sk), counters in store.counters().items():
        if sk == cells.NOW:
            assert all(v > 0 for v in counters.values()), (pk, counters)


def test_positions_sort_as_sequence_numbers_compare():
    assert position("99") < position("100") < position("4421584500000000017450439091")
