"""Partition keys of the reports table's indexes, spread over shards.

A DynamoDB partition takes about 1,000 writes a second, and a throttled index throttles
the base table's writes. The sparse indexes every submission passes through (outbox,
deadlines) and the verification queue would otherwise sit on one constant key; an agency's
inbox on one key per status. Each key therefore ends in a shard derived from the tracking
id, and reading an index queries every shard and merges. ``bench/capacity.py`` computes
the load each partition receives from these functions.
"""

from __future__ import annotations

import hashlib

OUTBOX_SHARDS = 16  # in and out once per submission
VERIFICATION_SHARDS = 8
DEADLINE_SHARDS = 16  # in at submission, moved at routing (a delete and a put)
INBOX_SHARDS = 8  # per agency and status: a national burst aimed at one agency
FEED_SHARDS = 8  # per status (and agency, category or region): every disposal lands here


def shard(tracking_id: str, shards: int) -> int:
    return hashlib.sha256(tracking_id.encode()).digest()[0] % shards


def outbox_key(tracking_id: str) -> str:
    return f"pending#{shard(tracking_id, OUTBOX_SHARDS)}"


def outbox_partitions() -> list[str]:
    return [f"pending#{n}" for n in range(OUTBOX_SHARDS)]


def verification_key(tracking_id: str) -> str:
    return f"pending#{shard(tracking_id, VERIFICATION_SHARDS)}"


def verification_partitions() -> list[str]:
    return [f"pending#{n}" for n in range(VERIFICATION_SHARDS)]


def due_key(tracking_id: str) -> str:
    return f"due#{shard(tracking_id, DEADLINE_SHARDS)}"


def due_partitions() -> list[str]:
    return [f"due#{n}" for n in range(DEADLINE_SHARDS)]


def inbox_key(agency_id: str, status: str, category: str | None, tracking_id: str) -> str:
    base = f"{agency_id}#{status}" + (f"#{category}" if category else "")
    return f"{base}#{shard(tracking_id, INBOX_SHARDS)}"


def inbox_partitions(agencies: list[str], statuses: list[str], category: str | None) -> list[str]:
    return [
        f"{a}#{s}" + (f"#{category}" if category else "") + f"#{n}"
        for a in agencies
        for s in statuses
        for n in range(INBOX_SHARDS)
    ]


def feed_key(scope: str, status: str, tracking_id: str) -> str:
    """A public feed index's partition: ``scope`` is ``all`` (the unfiltered feed), an
    agency id, a category code, or a province or regency code (each in its own index)."""
    return f"{scope}#{status}#{shard(tracking_id, FEED_SHARDS)}"


def feed_partitions(scope: str, statuses: list[str]) -> list[str]:
    return [f"{scope}#{s}#{n}" for s in statuses for n in range(FEED_SHARDS)]


def merged_page(
    fetch, partitions: list[str], limit: int, key, *, descending: bool = False
) -> tuple[list, bool]:
    """The first ``limit`` items over every partition, in ``key`` order (largest first
    when ``descending``), reading little more than a page whatever the number of
    partitions.

    ``fetch(partition, after, n)`` returns at most ``n`` items of one partition, in that
    order, after the key ``after`` (None: from the start). Each partition is read in small
    chunks; an item is placed only once every partition that may still hold one before it
    has been read past it. Returns the page and whether more items follow it."""
    chunk = max(2, -(-(limit + 1) // max(1, len(partitions))) + 1)
    nearest = max if descending else min  # the read position furthest behind

    def reached(k, frontier) -> bool:
        return k >= frontier if descending else k <= frontier

    buffered: list = []
    last: dict[str, object] = {}  # partition -> key of its last item read, while it has more
    for partition in partitions:
        got = fetch(partition, None, chunk)
        buffered += got
        if len(got) == chunk:
            last[partition] = key(got[-1])
    while True:
        frontier = nearest(last.values()) if last else None
        placed = sorted(
            (i for i in buffered if frontier is None or reached(key(i), frontier)),
            key=key,
            reverse=descending,
        )
        if len(placed) > limit or not last:
            return placed[:limit], len(placed) > limit
        partition = nearest(last, key=last.get)  # the one holding everything else back
        got = fetch(partition, last[partition], chunk)
        buffered += got
        if len(got) == chunk:
            last[partition] = key(got[-1])
        else:
            del last[partition]
