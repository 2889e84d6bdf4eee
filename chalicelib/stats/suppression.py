"""Small cells are not published, so that nobody can be singled out. Pure Python, no I/O.

Primary suppression: a published cell (a scope, or one row of a breakdown: a category, a
region, a region × category cell) with 1 to 4 reports received in the period shows only
that it is small, no numbers. A cell with no reports is shown as 0 (it describes nobody).

Complementary (secondary) suppression: a breakdown is a *line* — a total and the cells that
add up to it, plus an unpublished remainder (reports without a category, or located no
finer than the total's region). The hidden part of a line (its suppressed cells and the
remainder) must hold at least 5 reports, in at least two cells when the total is published
(else the one would be the total minus the others), in at least one when the total is
itself suppressed (else the total would be the sum of the others); otherwise the smallest
published cell of the line is suppressed too (or, with none left, the total). Lines that
share cells (a province's regencies × categories table, with its regency and category
totals) are solved together until nothing changes, so no suppressed value can be
recovered by subtracting the others from any total. Every page that shows a cell decides
with the same table (a category's page with the national table, a regency's page with its
province's), so two pages never give away different cells.

What this does not stop: differencing across tables the pages do not share (the national
total of a category against the sum of its 38 provinces' cells) and across overlapping
periods (the last 30 days on two consecutive days). The remainder left unpublished (reports
without a region or category) blurs the first.
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
            if _exposes(ln, values, hidden, threshold):
                hidden.add(_complement(ln, values, hidden))
                changed = True
    return hidden


def _exposes(ln: Line, values, hidden: set, threshold: int) -> bool:
    """Whether the published cells of this line pin a hidden one down: its hidden part
    (hidden members and the unpublished remainder) must hold at least ``threshold``
    reports, in at least two cells when the total is published (else the one would be
    the total minus the rest), in at least one when the total is hidden (else the total
    would be the sum of its members)."""
    total = values.get(ln.total, 0)
    if total <= 0:
        return False
    members = [m for m in ln.members if values.get(m, 0) > 0]
    secret = [m for m in members if m in hidden]
    remainder = max(0, total - sum(values[m] for m in members))
    cells = len(secret) + (1 if remainder else 0)
    held = sum(values[m] for m in secret) + remainder
    if ln.total in hidden:
        if is_small(total, threshold):
            return False  # every member is smaller still: all hidden already
        return cells < 1 or held < threshold
    return bool(secret) and (cells < 2 or held < threshold)


def _complement(ln: Line, values, hidden: set) -> Hashable:
    """The smallest published member of the line (ties by key), else its total."""
    published = [m for m in ln.members if values.get(m, 0) > 0 and m not in hidden]
    if published:
        return min(published, key=lambda m: (values[m], str(m)))
    return ln.total
