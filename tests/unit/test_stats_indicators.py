"""Periods, sums of day items and the indicator set, with numbers worked out by hand."""

from collections import Counter
from datetime import date

import pytest

from chalicelib.stats import periods
from chalicelib.stats.cells import agency_pk, province_pk
from chalicelib.stats.indicators import (
    by_subscope,
    crossed,
    gauges,
    histogram,
    indicators,
    median,
    received_by,
    tally,
)
from tests.stats_fakes import Life, cells_of

TODAY = date(2026, 11, 27)


# ---------------------------------------------------------------- periods


def test_last30_is_today_and_the_29_days_before():
    p = periods.parse("last30", TODAY)
    assert (p.start, p.end, p.closed) == (date(2026, 10, 29), TODAY, False)
    assert len(p.days()) == 30
    assert periods.parse(None, TODAY) == p


def test_a_past_month_is_closed_and_whole_the_running_month_ends_today():
    feb = periods.parse("2026-02", TODAY)
    assert (feb.start, feb.end, feb.closed) == (date(2026, 2, 1), date(2026, 2, 28), True)
    dec = periods.parse("2025-12", TODAY)
    assert dec.end == date(2025, 12, 31)
    now = periods.parse("2026-11", TODAY)
    assert (now.start, now.end, now.closed) == (date(2026, 11, 1), TODAY, False)


@pytest.mark.parametrize("text", ["2026-12", "2027-01", "1999-12", "2026-13", "2026-1", "30", ""])
def test_future_ancient_and_malformed_periods_are_refused(text):
    with pytest.raises(periods.BadPeriod):
        periods.parse(text, TODAY)


def test_previous_month_and_week_start():
    assert periods.previous_month(date(2026, 1, 5)).label == "2025-12"
    assert periods.week_start(date(2026, 11, 27)) == date(2026, 11, 23)  # a Friday -> Monday


# ---------------------------------------------------------------- medians


@pytest.mark.parametrize(
    "hist, expected",
    [
        ({}, None),
        ({3: 1}, 3),
        ({1: 1, 2: 1, 9: 1}, 2),
        ({1: 1, 3: 1}, 2),
        ({0: 2, 5: 2}, 2.5),
        ({0: 1, 1: 5, 60: 3}, 1),
        ({2: 1, 60: 4}, 60),  # "60 or more"
    ],
)
def test_the_median_is_exact(hist, expected):
    assert median(hist) == expected


def test_histograms_cap_at_60_and_ignore_other_metrics():
    assert histogram({"frd:2": 3, "frd:75": 1, "frd:60": 1, "cd:4": 9, "frd:x": 1}, "frd:") == {
        2: 3,
        60: 2,
    }


# ---------------------------------------------------------------- a month, by hand

# November 2026 has no holidays: working days are Monday to Friday.
A = (
    Life(date(2026, 11, 2))
    .dispose(date(2026, 11, 2), "pemkot-bandung")
    .respond(date(2026, 11, 4))  # 2 working days, in time
    .complete(date(2026, 11, 18), rating=5)  # 12 working days after the assignment
)
B = (
    Life(date(2026, 11, 3))
    .dispose(date(2026, 11, 3), "pemkot-bandung")
    .respond(date(2026, 11, 12), on_time=False)  # 7 working days, late
)
C = Life(date(2026, 11, 4), category="sampah-kebersihan", region="32.73.01").archive(
    date(2026, 11, 5)
)
D = (
    Life(date(2026, 11, 5), region="32.04")
    .dispose(date(2026, 11, 6), "pemkot-bandung")
    .transfer(date(2026, 11, 9))
)
OCTOBER = Life(date(2026, 10, 30))  # outside the month


@pytest.fixture
def table():
    return cells_of([A, B, C, D, OCTOBER])


def month_sum(table, pk, label="2026-11"):
    p = periods.parse(label, TODAY)
    return tally(
        c
        for (k, sk), c in table.items()
        if k == pk and sk.startswith("d#") and p.start <= date.fromisoformat(sk[2:]) <= p.end
    )


def test_the_national_indicators_of_a_month(table):
    got = indicators(by_subscope(month_sum(table, "nat"))["all"], agency=False)
    assert got == {
        "received": 4,
        "verified": 3,  # A, B, D
        "archived": 1,
        "followed_up": 2,
        "in_time": 1,
        "completed": 1,
        "reopened": 0,
        "transferred_away": None,
        "rates": {"verified": 0.75, "followed_up": 0.6667, "completed": 0.25, "in_time": 0.5},
        "first_response_days": {"median": 4.5, "count": 2},  # 2 and 7
        "completion_days": {"median": 12, "count": 1},
        "satisfaction": {
            "rated": 1,
            "average": 5.0,
            "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
        },
    }


def test_the_agency_indicators_count_what_was_assigned_to_it(table):
    subscopes = by_subscope(month_sum(table, agency_pk("pemkot-bandung")))
    got = indicators(subscopes["all"], agency=True)
    assert (got["received"], got["followed_up"], got["transferred_away"]) == (3, 2, 1)
    assert got["verified"] is None and got["archived"] is None
    assert got["rates"] == {
        "verified": None,
        "followed_up": 0.6667,
        "completed": 0.3333,
        "in_time": 0.5,
    }
    assert received_by(subscopes, "cat:") == {"infrastruktur": 3}
    assert received_by(subscopes, "reg:") == {"32.73": 2, "32.04": 1}


def test_the_province_has_its_regencies_categories_and_their_crossing(table):
    subscopes = by_subscope(month_sum(table, province_pk("32")))
    assert subscopes["all"]["received"] == 4
    assert received_by(subscopes, "reg:") == {"32.73": 3, "32.04": 1}
    assert received_by(subscopes, "cat:") == {"infrastruktur": 3, "sampah-kebersihan": 1}
    assert crossed(subscopes) == {
        ("32.73", "infrastruktur"): 2,
        ("32.73", "sampah-kebersihan"): 1,
        ("32.04", "infrastruktur"): 1,
    }


def test_tally_sums_counters_and_leaves_keys_and_other_attributes_out():
    items = [
        {"pk": "nat", "all|received": 2, "expires_at": 99, "flag": True},
        {"all|received": 3, "cat:x|received": 1},
    ]
    assert tally(items) == Counter({"all|received": 5, "cat:x|received": 1})


def test_gauges_of_a_now_item():
    got = gauges({"open:unverified": 2, "open:in_progress": 5, "overdue": 1})
    assert got == {
        "open": {"unverified": 2, "awaiting_followup": 0, "in_progress": 5, "total": 7},
        "overdue": 1,
    }
    assert gauges({})["open"]["total"] == 0


def test_the_now_items_follow_the_open_reports(table):
    national = by_subscope(table[("nat", "now")])
    # B in progress (A completed, C archived, D back to verification, OCTOBER unverified)
    assert gauges(national["all"])["open"] == {
        "unverified": 2,
        "awaiting_followup": 0,
        "in_progress": 1,
        "total": 3,
    }
    assert (
        gauges(by_subscope(table[(agency_pk("pemkot-bandung"), "now")])["all"])["open"]["total"]
        == 1
    )
