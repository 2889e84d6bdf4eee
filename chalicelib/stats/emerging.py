"""Emerging issues: category × regency cells whose count in the last 7 days is improbably
high against their previous 8 weeks. Pure Python, no I/O.

The rule: for each (category, regency), n = reports received in the last 7 days (today
and the 6 days before, Asia/Jakarta) and λ = the weekly mean of the 8 weeks (56 days)
before them, at least ``LAMBDA_FLOOR`` (a cell with no history is not "infinitely"
surprising: with the floor, 5 new reports in a quiet cell are flagged, 4 are not). The
cell is emerging when n ≥ ``MINIMUM_REPORTS`` and P(X ≥ n) < ``P_VALUE`` for X ~
Poisson(λ). Cells are listed by that probability, smallest first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

RECENT_DAYS = 7
BASELINE_WEEKS = 8
MINIMUM_REPORTS = 5
P_VALUE = 0.01
LAMBDA_FLOOR = 0.5
RULE = (
    f"n = reports in a category × regency in the last {RECENT_DAYS} days; λ = the weekly "
    f"mean of the {BASELINE_WEEKS} weeks before (at least {LAMBDA_FLOOR}); emerging when "
    f"n ≥ {MINIMUM_REPORTS} and P(X ≥ n) < {P_VALUE} for X ~ Poisson(λ)"
)


def poisson_tail(n: int, lam: float) -> float:
    """P(X ≥ n) for X ~ Poisson(lam), accurate far into the tail."""
    if n <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if n <= lam:  # the tail is large: 1 - P(X < n) loses nothing
        term = cdf = math.exp(-lam)
        for k in range(1, n):
            term *= lam / k
            cdf += term
        return max(0.0, min(1.0, 1.0 - cdf))
    # n > lam: the terms from n on decrease; sum them directly (no cancellation)
    term = math.exp(-lam + n * math.log(lam) - math.lgamma(n + 1))
    total, k = 0.0, n
    while term > total * 1e-17 and k < n + 10_000:
        total += term
        k += 1
        term *= lam / k
    return min(1.0, total)


@dataclass(frozen=True)
class Emerging:
    category: str
    region: str
    recent: int  # reports in the last 7 days
    baseline: int  # reports in the 8 weeks before
    expected: float  # λ: the weekly mean of the baseline (at least the floor)
    p_value: float


def detect(
    recent: Mapping[tuple[str, str], int], baseline: Mapping[tuple[str, str], int]
) -> list[Emerging]:
    """``recent`` and ``baseline``: reports per (category, regency) in the last 7 days and
    in the 8 weeks before them."""
    found = []
    for (category, region), n in recent.items():
        if n < MINIMUM_REPORTS:
            continue
        before = baseline.get((category, region), 0)
        lam = max(before / BASELINE_WEEKS, LAMBDA_FLOOR)
        p = poisson_tail(n, lam)
        if p < P_VALUE:
            found.append(Emerging(category, region, n, before, round(lam, 4), p))
    found.sort(key=lambda e: (e.p_value, -e.recent, e.category, e.region))
    return found
