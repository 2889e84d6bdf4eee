"""Small cells are not published, so that nobody can be singled out. Pure Python, no I/O.

Primary suppression: a published cell (a scope, or one row of a breakdown: a category, a
region, a region × category cell) with 1 to 4 reports received in the period shows only
that it is small, no numbers. A cell with no reports is shown as 0 (it describes nobody).

Complementary (secondary) suppression: a breakdown is a *line* — a total and the cells that
add up to it, plus an unpublished remainder (reports without a category, or located no
finer than the total's region). Whenever a line's total is published, its hidden part
(the suppressed cells and the remainder) must be at least two cells together holding at
least 5 reports; otherwise the smallest published cell of the line is suppressed too (or,
with none left, the total). Lines that share cells (a province's regencies × categories
table, with its regency and category totals) are solved together until nothing changes,
so no suppressed value can be recovered by subtracting the others from any total. Every
page that shows a cell decides with the same table (a category's page with the national
table, a regency's page with its province's), so two pages never give away different
cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5


def is_small(n: int, threshold: int = THRESHOLD) -> bool:
    return 0 < n < threshold


@dataclass(frozen=True)
class Line:
    total: Hashable
    members: tuple[Hashable, ...]


def line(total: Hashable, members: Iterable[Hashable]) -> Line:
    return Line(total, tuple(members))


def suppressed(
    values: Mapping[Hashable, int], lines: Iterable[Line], threshold: int = THRESHOLD
) -> set[Hashable]:
    """The cells to hide: the small ones, and the complements that protect them."""
    lines = list(lines)
    hidden = {key for key, n in values.items() if is_small(n, threshold)}
    changed = True
    while changed:
        changed = False
        for ln in lines:
            if ln.total in hidden or values.get(ln.total, 0) <= 0:
                continue  # nothing published to subtract from
            members = [m for m in ln.members if values.get(m, 0) > 0]
            secret = [m for m in members if m in hidden]
            if not secret:
                continue
            remainder = max(0, values[ln.total] - sum(values[m] for m in members))
            cells = len(secret) + (1 if remainder else 0)
            held = sum(values[m] for m in secret) + remainder
            if cells >= 2 and held >= threshold:
                continue
            published = [m for m in members if m not in hidden]
            if published:
                hidden.add(min(published, key=lambda m: (values[m], str(m))))
            else:
                hidden.add(ln.total)
            changed = True
    return hidden
