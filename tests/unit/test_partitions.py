"""Sharded index keys: every key lands in a partition the readers query, and the shards
share the load evenly enough for bench/capacity.py's figure to hold."""

from collections import Counter

import pytest

from chalicelib.adapters import partitions
from chalicelib.domain import tracking_id

IDS = [tracking_id.generate() for _ in range(4000)]


@pytest.mark.parametrize(
    ("key", "every", "shards"),
    [
        (partitions.outbox_key, partitions.outbox_partitions(), partitions.OUTBOX_SHARDS),
        (
            partitions.verification_key,
            partitions.verification_partitions(),
            partitions.VERIFICATION_SHARDS,
        ),
        (partitions.due_key, partitions.due_partitions(), partitions.DEADLINE_SHARDS),
    ],
)
def test_keys_are_read_back_and_spread(key, every, shards):
    counts = Counter(key(t) for t in IDS)
    assert set(counts) == set(every)  # every shard used, and every one of them is read
    assert len(every) == shards
    assert max(counts.values()) < 1.3 * len(IDS) / shards


def test_inbox_keys_belong_to_the_partitions_an_inbox_reads():
    every = set(partitions.inbox_partitions(["pemkot-bandung"], ["in_progress"], None))
    by_category = set(
        partitions.inbox_partitions(["pemkot-bandung"], ["in_progress"], "infrastruktur")
    )
    for t in IDS[:200]:
        assert partitions.inbox_key("pemkot-bandung", "in_progress", None, t) in every
        assert (
            partitions.inbox_key("pemkot-bandung", "in_progress", "infrastruktur", t) in by_category
        )
    assert len(every) == partitions.INBOX_SHARDS
    assert not every & by_category
