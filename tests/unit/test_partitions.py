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


def test_feed_keys_belong_to_the_partitions_a_feed_reads():
    statuses = ["awaiting_followup", "in_progress", "completed"]
    every = set(partitions.feed_partitions("all", statuses))
    in_progress = set(partitions.feed_partitions("all", ["in_progress"]))
    for t in IDS[:200]:
        assert partitions.feed_key("all", "in_progress", t) in in_progress
    assert in_progress < every
    assert len(every) == 3 * partitions.FEED_SHARDS
    assert not every & set(partitions.feed_partitions("32.73", statuses))
    counts = Counter(partitions.feed_key("all", "completed", t) for t in IDS)
    assert max(counts.values()) < 1.3 * len(IDS) / partitions.FEED_SHARDS


def _fetcher(data: dict[str, list[int]], reads: list, descending: bool = False):
    def fetch(partition, after, n):
        ordered = sorted(data[partition], reverse=descending)
        items = [k for k in ordered if after is None or (k < after if descending else k > after)][
            :n
        ]
        reads.append(len(items))
        return items

    return fetch


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_a_merged_page_is_the_first_items_of_all_partitions(seed, descending):
    import random

    rng = random.Random(seed)
    parts = [f"p{n}" for n in range(rng.choice([1, 2, 8, 16]))]
    data = {p: [] for p in parts}
    for value in rng.sample(range(100_000), rng.choice([0, 3, 40, 400])):
        data[rng.choice(parts)].append(value)
    if rng.random() < 0.3:  # everything in one partition: the worst case for chunks
        data = {p: [] for p in parts}
        data[parts[0]] = sorted(rng.sample(range(100_000), 60))
    for p in parts:
        data[p].sort()
    limit = rng.choice([1, 5, 25])
    page, more = partitions.merged_page(
        _fetcher(data, [], descending), parts, limit, key=lambda k: k, descending=descending
    )
    everything = sorted((k for values in data.values() for k in values), reverse=descending)
    assert page == everything[:limit]
    assert more == (len(everything) > limit)


@pytest.mark.parametrize("descending", [False, True])
def test_a_merged_page_reads_little_more_than_a_page_however_much_is_stored(descending):
    import random

    rng = random.Random(7)
    parts = [f"p{n}" for n in range(16)]
    counts = {}
    for stored in (1_000, 10_000):
        total = 0
        for _ in range(20):  # which shard a report lands in is chance: an average
            data = {p: [] for p in parts}
            for value in rng.sample(range(10_000_000), stored):
                data[rng.choice(parts)].append(value)
            for p in parts:
                data[p].sort()
            reads = []
            partitions.merged_page(
                _fetcher(data, reads, descending),
                parts,
                25,
                key=lambda k: k,
                descending=descending,
            )
            total += sum(reads)
        counts[stored] = total / 20
    assert counts[10_000] <= 1.1 * counts[1_000]
    assert counts[10_000] < 16 * 26 / 4  # far less than a full page from every partition
