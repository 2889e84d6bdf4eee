"""The public feed: listed reports (``domain.views.feed_entry``), newest first, a page at a
time; and every entry, page by page, for the daily open-data export.

Entries are ordered by when the report was filed, which never changes: a report that
changes status while someone pages (or exports) stays in its place, so it is seen once.
A report that leaves the feed (handed back to the admins) is simply no longer listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..domain import regions
from ..domain.views import FEED_STATUSES, FeedEntry
from .ports import FeedFilters, InvalidCursor, PublicFeed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
EXPORT_PAGE = 100

# What the feed's indexes sort by: ``<created_at>#<tracking id>`` (deadlines.sort_key).
_CURSOR = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z#[0-9A-Z]{10}$"
)

EVERYTHING = FeedFilters()  # every listed report, in every listed status


class InvalidFeedFilter(ValueError):
    """A filter the feed cannot serve; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.field = field
        self.kind = kind


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedEntry]
    next_cursor: str | None  # None: the last page


def checked_filters(
    *,
    statuses: list[str] | None = None,
    agency_id: str | None = None,
    category: str | None = None,
    region: str | None = None,
) -> FeedFilters:
    """Checked filters. Statuses: any of the listed ones (default all). At most one of
    agency, category and region: each is its own index, and a page of a combination
    could not be read without reading far more than a page. A region is a province
    (``32``) or a regency (``32.73``; dots optional): nothing finer is listed."""
    wanted = [s.value for s in FEED_STATUSES]
    if statuses:
        unknown = sorted(set(statuses) - set(wanted))
        if unknown:
            raise InvalidFeedFilter(
                "status", f"listed statuses are {', '.join(wanted)}; not {', '.join(unknown)}"
            )
        wanted = [s for s in wanted if s in statuses]
    dimensions = (("agency_id", agency_id), ("category", category), ("region", region))
    given = [name for name, value in dimensions if value]
    if len(given) > 1:
        raise InvalidFeedFilter(
            given[1],
            "filter by one of agency_id, category and region (status goes with any)",
            "one_filter_at_a_time",
        )
    if region:
        try:
            region = regions.normalise_region_code(region)
        except ValueError as e:
            raise InvalidFeedFilter("region", str(e)) from None
        if region.count(".") > 1:
            raise InvalidFeedFilter(
                "region",
                "a province (32) or regency (32.73) code: the feed lists no finer region",
                "too_fine",
            )
    return FeedFilters(tuple(wanted), agency_id or None, category or None, region)


def page(
    feed: PublicFeed,
    filters: FeedFilters = EVERYTHING,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> FeedPage:
    """One page, newest first, after ``cursor`` (a page's ``next_cursor``). InvalidCursor
    for anything else; ValueError for a limit outside 1..MAX_LIMIT or filters that
    ``checked_filters`` would refuse."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1..{MAX_LIMIT}")
    if cursor is not None and not _CURSOR.match(cursor):
        raise InvalidCursor(cursor)
    if not set(filters.statuses) <= set(EVERYTHING.statuses):
        raise ValueError(f"not listed statuses: {filters.statuses}")
    if sum(1 for f in (filters.agency_id, filters.category, filters.region) if f) > 1:
        raise ValueError("one of agency_id, category and region at a time (checked_filters)")
    items, next_cursor = feed.feed(filters, limit=limit, after=cursor)
    return FeedPage(items, next_cursor)


def entries(
    feed: PublicFeed, filters: FeedFilters = EVERYTHING, page_size: int = EXPORT_PAGE
) -> Iterator[FeedEntry]:
    """Every entry, newest first, read a page at a time (the open-data export)."""
    cursor = None
    while True:
        current = page(feed, filters, cursor, page_size)
        yield from current.items
        if current.next_cursor is None:
            return
        cursor = current.next_cursor
