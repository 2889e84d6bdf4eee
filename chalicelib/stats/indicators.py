"""The published indicators, computed from summed cells (``cells.py`` defines them). Pure
Python, no I/O.

A period's figures are the sum of its day items (``tally``); an indicator set is computed
for one subscope of that sum (``indicators``), and the gauges from a ``now`` item
(``gauges``). Every figure is a flow within the period (what happened in it), so a rate
can exceed 1 when a period clears an earlier backlog.

Rates (``None`` when the denominator is 0):

- ``verified``: verified ÷ received (national, category, region scopes);
- ``followed_up`` ("% TL"): followed up ÷ received for an agency (received = assigned to
  it), ÷ verified elsewhere (only a verified report reaches an agency);
- ``completed``: completed ÷ received;
- ``in_time``: followed up within the service level ÷ followed up.

Medians are exact: each change records whole working days in a histogram bucket
(``frd:<n>``, ``cd:<n>``; 60 holds "60 or more"), so the median of a period is read off the
summed histogram (the mean of the two middle values for an even count).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .cells import HISTOGRAM_CAP, OPEN_STATUSES

SCORES = (1, 2, 3, 4, 5)


def tally(items: Iterable[Mapping[str, object]]) -> Counter:
    """The sum of the counters (``<subscope>|<metric>``) of these items; keys and other
    attributes are left out."""
    total: Counter = Counter()
    for item in items:
        for name, value in item.items():
            if "|" in name and isinstance(value, int) and not isinstance(value, bool):
                total[name] += value
    return total


def by_subscope(counters: Mapping[str, int]) -> dict[str, Counter]:
    """``{"all|received": 3}`` -> ``{"all": Counter(received=3)}``."""
    out: dict[str, Counter] = {}
    for name, value in counters.items():
        subscope, _, metric = name.rpartition("|")
        if subscope:
            out.setdefault(subscope, Counter())[metric] += value
    return out


def received_by(subscopes: Mapping[str, Counter], prefix: str) -> dict[str, int]:
    """The reports received per subscope of one kind: ``prefix`` ``cat:`` gives
    ``{category: n}``, ``reg:`` gives ``{region: n}`` (the crossed ``reg:<r>:cat:<c>``
    left out)."""
    out = {}
    for subscope, metrics in subscopes.items():
        if not subscope.startswith(prefix):
            continue
        code = subscope[len(prefix) :]
        if ":" in code:
            continue
        out[code] = metrics.get("received", 0)
    return out


def crossed(subscopes: Mapping[str, Counter]) -> dict[tuple[str, str], int]:
    """Reports received per (regency, category): the ``reg:<r>:cat:<c>`` subscopes."""
    out = {}
    for subscope, metrics in subscopes.items():
        if subscope.startswith("reg:") and ":cat:" in subscope:
            region, _, category = subscope[4:].partition(":cat:")
            out[(region, category)] = metrics.get("received", 0)
    return out


def histogram(metrics: Mapping[str, int], prefix: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for name, n in metrics.items():
        if name.startswith(prefix) and n > 0:
            try:
                days = int(name[len(prefix) :])
            except ValueError:
                continue
            days = min(max(days, 0), HISTOGRAM_CAP)
            out[days] = out.get(days, 0) + n
    return out


def median(hist: Mapping[int, int]) -> float | None:
    """The exact median of a histogram of whole days (None when empty)."""
    count = sum(hist.values())
    if count <= 0:
        return None
    lower, upper = (count - 1) // 2, count // 2  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for days in sorted(hist):
        n = hist[days]
        for position in (lower, upper):
            if seen <= position < seen + n:
                found.append(days)
        seen += n
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


def indicators(metrics: Mapping[str, int], *, agency: bool) -> dict:
    """The indicator set of one subscope's summed metrics."""
    m = Counter(metrics)
    received, verified, followed_up = m["received"], m["verified"], m["followed_up"]
    first_response = histogram(m, "frd:")
    completion = histogram(m, "cd:")
    scores = {str(s): m[f"score:{s}"] for s in SCORES}
    rated = sum(scores.values())
    return {
        "received": received,
        "verified": None if agency else verified,
        "archived": None if agency else m["archived"],
        "followed_up": followed_up,
        "in_time": m["in_time"],
        "completed": m["completed"],
        "reopened": m["reopened"],
        "transferred_away": m["transferred_away"] if agency else None,
        "rates": {
            "verified": None if agency else _rate(verified, received),
            "followed_up": _rate(followed_up, received if agency else verified),
            "completed": _rate(m["completed"], received),
            "in_time": _rate(m["in_time"], followed_up),
        },
        "first_response_days": {
            "median": median(first_response),
            "count": sum(first_response.values()),
        },
        "completion_days": {"median": median(completion), "count": sum(completion.values())},
        "satisfaction": {
            "rated": rated,
            "average": round(sum(int(s) * n for s, n in scores.items()) / rated, 2)
            if rated
            else None,
            "distribution": scores,
        },
    }


def gauges(metrics: Mapping[str, int]) -> dict:
    """Open reports by status and overdue, right now (one subscope of a ``now`` item)."""
    open_ = {status: max(0, metrics.get(f"open:{status}", 0)) for status in OPEN_STATUSES}
    return {
        "open": {**open_, "total": sum(open_.values())},
        "overdue": max(0, metrics.get("overdue", 0)),
    }
