"""The ranking's score and order, and the emerging-issues rule, worked out by hand."""

import math

import pytest

from chalicelib.stats import emerging, ranking
from chalicelib.stats.indicators import indicators


def row(agency_id, **metrics):
    return {
        "agency": {"id": agency_id, "name": agency_id.title(), "parent_id": None},
        "indicators": indicators(metrics, agency=True),
    }


# X: followed up 36/40 = 0.9, in time 27/36 = 0.75, median 2 days (speed 0.8), average 4.0
X = row("x", received=40, followed_up=36, in_time=27, **{"frd:2": 36, "score:4": 10})
# Y: 10/20 = 0.5, 10/10 = 1.0, median 1 day (0.9), no ratings (0.5)
Y = row("y", received=20, followed_up=10, in_time=10, **{"frd:1": 10})
U = row("u", received=20, followed_up=10, in_time=10, **{"frd:1": 10})  # Y's twin
# V cleared a backlog: 30 follow-ups of 25 received (capped at 1), none in time, 12 days
V = row("v", received=25, followed_up=30, in_time=0, **{"frd:12": 30})
Z = row("z", received=19, followed_up=19, in_time=19, **{"frd:0": 19})  # too few to rank
W = row("w", received=3, followed_up=3)  # small
NONE = row("none", completed=1)  # no report received in the period


def test_scores_by_hand():
    assert ranking.score(X["indicators"]) == 0.8175  # .36 + .225 + .12 + .1125
    assert ranking.score(Y["indicators"]) == 0.71  # .2 + .3 + .135 + .075
    assert ranking.score(V["indicators"]) == 0.475  # .4 + 0 + 0 + .075


def test_the_ranking_order_ties_minimum_and_small_agencies():
    ranked = ranking.rank([W, Z, V, Y, X, U, NONE])
    assert [(r["agency"]["id"], r["rank"], r["ranked"], r["suppressed"]) for r in ranked] == [
        ("x", 1, True, False),
        ("u", 2, True, False),  # equal score and reports: by id
        ("y", 2, True, False),
        ("v", 4, True, False),
        ("z", None, False, False),  # 19 < 20: listed with its figures, not ranked
        ("w", None, False, True),  # 3: small, no figures
    ]
    assert ranked[-1]["indicators"] is None and ranked[-1]["score"] is None
    assert ranked[-2]["indicators"]["received"] == 19


# ---------------------------------------------------------------- Poisson


def tail_by_definition(n, lam):
    return 1 - sum(math.exp(-lam) * lam**k / math.factorial(k) for k in range(n))


@pytest.mark.parametrize(
    "n, lam, expected",
    [
        (5, 1.0, 0.0036598),
        (7, 2.0, 0.0045338),
        (5, 2.0, 0.0526530),
        (5, 0.5, 0.0001721),
        (0, 3.0, 1.0),
        (3, 10.0, 0.9972306),
    ],
)
def test_the_poisson_tail(n, lam, expected):
    assert emerging.poisson_tail(n, lam) == pytest.approx(expected, abs=1e-7)
    assert emerging.poisson_tail(n, lam) == pytest.approx(tail_by_definition(n, lam), abs=1e-12)


def test_the_far_tail_stays_positive_and_accurate():
    p = emerging.poisson_tail(60, 0.5)
    # the first term dominates: e^-0.5 0.5^60 / 60!
    first = math.exp(-0.5 + 60 * math.log(0.5) - math.lgamma(61))
    assert p > 0 and p == pytest.approx(first * (1 + 0.5 / 61 + 0.25 / (61 * 62)), rel=1e-6)


def test_the_rule_minimum_floor_and_order():
    recent = {
        ("infrastruktur", "32.73"): 6,  # baseline 8 in 8 weeks: λ = 1, P = 0.000594
        ("sampah-kebersihan", "32.73"): 5,  # λ = 2, P = 0.0527: usual
        ("bansos", "32.01"): 5,  # no history: λ = 0.5 (floor), P = 0.000172
        ("kesehatan", "32.02"): 4,  # below the minimum of 5
        ("pendidikan", "31.71"): 9,  # λ = 4, P = 0.0214: not below 0.01
    }
    baseline = {
        ("infrastruktur", "32.73"): 8,
        ("sampah-kebersihan", "32.73"): 16,
        ("pendidikan", "31.71"): 32,
    }
    found = emerging.detect(recent, baseline)
    assert [(e.category, e.region, e.recent, e.baseline, e.expected) for e in found] == [
        ("bansos", "32.01", 5, 0, 0.5),
        ("infrastruktur", "32.73", 6, 8, 1.0),
    ]
    assert found[0].p_value == pytest.approx(0.0001721, abs=1e-7)
    assert found[1].p_value == pytest.approx(0.0005942, abs=1e-7)
