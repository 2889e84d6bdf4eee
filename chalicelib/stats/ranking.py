"""The ranking of agencies on their indicators for a period. Pure Python, no I/O.

Only an agency with at least ``MINIMUM_RECEIVED`` reports assigned to it in the period is
ranked (fewer are too few to compare fairly); one with 1 to 4 is listed as small without
numbers, like every published cell; one without reports is not listed. Ranked agencies
are ordered by a score between 0 and 1, the weighted sum of:

- 0.40 × the followed-up rate ("% TL": followed up ÷ received, at most 1);
- 0.30 × the share followed up within the service level (0 without follow-ups);
- 0.15 × speed: 1 − median working days to the first response ÷ 10 (0 from 10 days on,
  and without follow-ups);
- 0.15 × satisfaction: (average rating − 1) ÷ 4 (0.5, neutral, without ratings).

Equal scores (to 4 decimals) share a rank (1, 2, 2, 4); among them the agency with more
reports is listed first, then by id.
"""

from __future__ import annotations

from .suppression import is_small

MINIMUM_RECEIVED = 20
WEIGHTS = {"followed_up": 0.40, "in_time": 0.30, "speed": 0.15, "satisfaction": 0.15}
SPEED_DAYS = 10
CRITERIA = (
    f"ranked: at least {MINIMUM_RECEIVED} reports received (assigned) in the period",
    "score = 0.40 × followed-up rate (at most 1) + 0.30 × share followed up in time "
    "+ 0.15 × (1 − median working days to first response ÷ 10, at least 0) "
    "+ 0.15 × (average satisfaction − 1) ÷ 4 (0.5 without ratings)",
    "higher score first; equal scores share a rank; then more reports, then agency id",
)


def score(indicators: dict) -> float:
    rates = indicators["rates"]
    followed_up = min(1.0, rates["followed_up"] or 0.0)
    in_time = rates["in_time"] or 0.0
    days = indicators["first_response_days"]["median"]
    speed = 0.0 if days is None else max(0.0, 1 - days / SPEED_DAYS)
    average = indicators["satisfaction"]["average"]
    satisfaction = 0.5 if average is None else (average - 1) / 4
    total = (
        WEIGHTS["followed_up"] * followed_up
        + WEIGHTS["in_time"] * in_time
        + WEIGHTS["speed"] * speed
        + WEIGHTS["satisfaction"] * satisfaction
    )
    return round(total, 4)


def rank(rows: list[dict]) -> list[dict]:
    """``rows``: ``{"agency": {...}, "indicators": {...}}`` per agency. Returns them ranked
    first, then unranked (too few reports), then small, each with ``rank``, ``score``,
    ``ranked`` and ``suppressed`` (small: indicators removed)."""
    ranked, unranked, small = [], [], []
    for row in rows:
        received = row["indicators"]["received"]
        if received >= MINIMUM_RECEIVED:
            ranked.append({**row, "score": score(row["indicators"])})
        elif is_small(received):
            small.append({**row, "indicators": None, "score": None})
        elif received > 0:
            unranked.append({**row, "score": None})
    ranked.sort(key=lambda r: (-r["score"], -r["indicators"]["received"], r["agency"]["id"]))
    out = []
    previous, position = None, 0
    for n, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            position, previous = n, row["score"]
        out.append({**row, "rank": position, "ranked": True, "suppressed": False})
    unranked.sort(key=lambda r: (-r["indicators"]["received"], r["agency"]["id"]))
    out += [{**r, "rank": None, "ranked": False, "suppressed": False} for r in unranked]
    small.sort(key=lambda r: r["agency"]["id"])
    out += [{**r, "rank": None, "ranked": False, "suppressed": True} for r in small]
    return out
