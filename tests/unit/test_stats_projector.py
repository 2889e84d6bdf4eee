"""The projector counts every change exactly once, whatever the stream does."""

import random

import pytest

from chalicelib.domain.calendar import default_calendar
from chalicelib.stats import cells
from chalicelib.stats.projector import CheckpointMoved, project, recompute
from tests.fakes import FakeStatsCells
from tests.stats_stories import Stories

CAL = default_calendar()


@pytest.fixture(scope="module")
def changes():
    return Stories(seed=11).many(300)


def expected(changes):
    return {cell: dict(c) for cell, c in recompute(changes, CAL).items()}


def batches(changes, size):
    return [changes[i : i + size] for i in range(0, len(changes), size)]


def test_the_counters_equal_a_recomputation(changes):
    store = FakeStatsCells()
    for batch in batches(changes, 100):
        project(batch, store, CAL)
    assert store.counters() == expected(changes)
    assert len(changes) > 500  # a real mix, not a handful


def test_a_redelivered_batch_counts_nothing_again(changes):
    store = FakeStatsCells()
    for batch in batches(changes, 50):
        project(batch, store, CAL)
        second = project(batch, store, CAL)
        assert second.counted == 0 and second.skipped == len(batch)
        assert second.items_written == 0
    assert store.counters() == expected(changes)


def test_redelivery_from_an_earlier_point_overlapping_new_changes(changes):
    """A stream redelivers from its last checkpoint: old and new changes in one batch."""
    store = FakeStatsCells()
    for i in range(0, len(changes), 40):
        project(changes[max(0, i - 25) : i + 40], store, CAL)
    assert store.counters() == expected(changes)


def test_a_failure_midway_loses_and_doubles_nothing(changes):
    store = FakeStatsCells()
    batch = changes[:400]
    store.fail_at = 2  # the second transaction fails: the first one is in
    with pytest.raises(ConnectionError):
        project(batch, store, CAL)
    assert store.transactions == 1
    project(batch, store, CAL)  # Lambda retries the batch
    project(changes[400:], store, CAL)
    assert store.counters() == expected(changes)


def test_a_concurrent_projector_of_the_same_changes_is_not_double_counted(changes):
    store = FakeStatsCells()
    batch = changes[:60]

    def meanwhile(store_):  # another invocation counts the same batch first
        store_.interfere = None
        other = FakeStatsCells()
        other.cells, other.cps = store_.cells, store_.cps
        project(batch, other, CAL)

    store.interfere = meanwhile
    project(batch, store, CAL)
    project(changes[60:], store, CAL)
    assert store.counters() == expected(changes)


def test_changes_of_different_reports_may_interleave(changes):
    """Only each report's own order matters (one report, one stream shard)."""
    rng = random.Random(3)
    by_report = {}
    for change in changes:
        by_report.setdefault(change.tracking_id, []).append(change)
    queues = list(by_report.values())
    shuffled = []
    while queues:
        queue = rng.choice(queues)
        shuffled.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    store = FakeStatsCells()
    for batch in batches(shuffled, 70):
        project(batch, store, CAL)
    assert store.counters() == expected(changes)


def test_transactions_hold_at_most_100_items_and_whole_reports(changes):
    store = FakeStatsCells()  # asserts the limit on every transaction
    result = project(changes, store, CAL)
    assert result.transactions > 1
    assert store.counters() == expected(changes)


def test_a_counter_touched_by_many_changes_is_written_once_per_transaction(changes):
    store = FakeStatsCells()
    result = project(changes[:200], store, CAL)
    per_change = result.items_written / result.counted
    unbatched = FakeStatsCells()
    for change in changes[:200]:
        project([change], unbatched, CAL)
    assert store.counters() == unbatched.counters()
    assert per_change < unbatched.items_written / 200


def test_the_projector_gives_up_after_repeated_interference(changes):
    store = FakeStatsCells()

    class Stubborn(FakeStatsCells):
        def apply(self, deltas, moves):
            raise CheckpointMoved()

    with pytest.raises(CheckpointMoved):
        project(changes[:5], Stubborn(), CAL)
    assert store.counters() == {}


def test_gauges_never_go_negative(changes):
    store = FakeStatsCells()
    project(changes, store, CAL)
    for (pk, sk), counters in store.counters().items():
        if sk == cells.NOW:
            assert all(v > 0 for v in counters.values()), (pk, counters)
