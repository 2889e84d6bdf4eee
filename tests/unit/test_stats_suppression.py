"""Small cells and their complements: nothing suppressed can be recovered by subtraction."""

import random

import pytest

from chalicelib.services.statistics import province_table
from chalicelib.stats.indicators import by_subscope
from chalicelib.stats.suppression import THRESHOLD, line, suppressed


def hidden(values, members=None):
    members = members if members is not None else [k for k in values if k != "all"]
    return suppressed(values, [line("all", members)])


def test_cells_of_1_to_4_are_small_zero_and_5_are_shown():
    assert hidden({"all": 30, "a": 0, "b": 5, "c": 25}) == set()
    assert hidden({"all": 4}, []) == {"all"}
    assert hidden({"all": 0}, []) == set()


def test_one_small_cell_takes_the_smallest_published_one_with_it():
    # a = 3 alone could be read off as 20 - 7 - 10
    assert hidden({"all": 20, "a": 3, "b": 7, "c": 10}) == {"a", "b"}


def test_ties_are_broken_by_code_so_every_page_picks_the_same_complement():
    assert hidden({"all": 20, "a": 3, "c": 7, "b": 7, "d": 3}) == {"a", "d"}  # 6: enough
    assert hidden({"all": 18, "a": 1, "c": 5, "b": 5, "d": 7}) == {"a", "b"}


def test_two_small_cells_holding_enough_together_need_no_complement():
    assert hidden({"all": 20, "a": 2, "b": 3, "c": 15}) == {"a", "b"}


def test_two_small_cells_holding_too_little_take_a_complement():
    assert hidden({"all": 20, "a": 1, "b": 2, "c": 17}) == {"a", "b", "c"}


def test_an_unpublished_remainder_large_enough_protects_a_single_small_cell():
    # 5 reports have no category: 20 - 12 = a + 5, so a stays unknown
    assert hidden({"all": 20, "a": 3, "b": 12}) == {"a"}
    # one report without a category is not enough: 16 - 12 = a + 1 gives a away within 1
    assert hidden({"all": 16, "a": 3, "b": 12}) == {"a", "b"}


def test_with_nothing_else_to_hide_the_total_goes():
    # a (8) protects x (3) in the line of "other"; then a is all there is of "all"
    values = {"all": 8, "a": 8, "other": 11, "x": 3}
    lines = [line("other", ["a", "x"]), line("all", ["a"])]
    assert suppressed(values, lines) == {"x", "a", "all"}


# ---------------------------------------------------------------- property: no line leaks


def assert_no_line_gives_a_cell_away(values, lines, hidden_):
    for ln in lines:
        total = values.get(ln.total, 0)
        if total <= 0:
            continue
        members = [m for m in ln.members if values.get(m, 0) > 0]
        secret = [m for m in members if m in hidden_]
        remainder = total - sum(values[m] for m in members)
        assert remainder >= 0
        cells = len(secret) + (remainder > 0)
        held = sum(values[m] for m in secret) + remainder
        if ln.total in hidden_:
            if total >= THRESHOLD:  # hidden as a complement: not the sum of the others
                assert cells >= 1 and held >= THRESHOLD, (ln, secret, held)
        elif secret:
            assert cells >= 2, (ln, secret)
            assert held >= THRESHOLD, (ln, secret, held)
    for key, n in values.items():
        if 0 < n < THRESHOLD:
            assert key in hidden_


def random_province(rng):
    subscopes = {}

    def add(subscope, n):
        if n:
            subscopes[f"{subscope}|received"] = subscopes.get(f"{subscope}|received", 0) + n

    for r in range(rng.randint(1, 5)):
        reg = f"32.{r + 1:02d}"
        for c in range(rng.randint(1, 5)):
            cat = f"k{c}"
            n = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40])
            add(f"reg:{reg}:cat:{cat}", n)
            add(f"reg:{reg}", n)
            add(f"cat:{cat}", n)
            add("all", n)
        uncategorised = rng.choice([0, 0, 1, 3, 8])
        add(f"reg:{reg}", uncategorised)
        add("all", uncategorised)
    extra = rng.choice([0, 0, 2, 6])  # located to the province only
    add("all", extra)
    add("cat:k0", extra)
    return by_subscope(subscopes)


@pytest.mark.parametrize("seed", range(200))
def test_a_province_table_never_gives_a_suppressed_cell_away(seed):
    values, lines = province_table(random_province(random.Random(seed)))
    hidden_ = suppressed(values, lines)
    assert_no_line_gives_a_cell_away(values, lines, hidden_)


def test_a_worked_province_table():
    # regencies 32.73 and 32.04; categories a and b
    subscopes = by_subscope(
        {
            "all|received": 30,
            "reg:32.73|received": 20,
            "reg:32.04|received": 10,
            "cat:a|received": 16,
            "cat:b|received": 14,
            "reg:32.73:cat:a|received": 13,
            "reg:32.73:cat:b|received": 7,
            "reg:32.04:cat:a|received": 3,
            "reg:32.04:cat:b|received": 7,
        }
    )
    values, lines = province_table(subscopes)
    # (32.04, a) = 3 is small; its row needs (32.04, b), its column (32.73, a); then the
    # row of 32.73 and the column of b hold two hidden cells each (20 and 14): done.
    assert suppressed(values, lines) == {
        "reg:32.04:cat:a",
        "reg:32.04:cat:b",
        "reg:32.73:cat:a",
        "reg:32.73:cat:b",
    }


def test_a_regency_hidden_as_a_complement_keeps_its_cells_hidden_too():
    subscopes = by_subscope(
        {
            "all|received": 40,
            "reg:32.73|received": 28,
            "reg:32.04|received": 3,
            "reg:32.77|received": 9,
            "cat:infrastruktur|received": 24,
            "cat:sampah|received": 6,
            "cat:kesehatan|received": 10,
            "reg:32.73:cat:infrastruktur|received": 15,
            "reg:32.73:cat:sampah|received": 6,
            "reg:32.73:cat:kesehatan|received": 7,
            "reg:32.04:cat:kesehatan|received": 3,
            "reg:32.77:cat:infrastruktur|received": 9,
        }
    )
    values, lines = province_table(subscopes)
    # 32.04 (3) is small: 32.77 (9) protects it among the regencies; then 32.77's only
    # cell would give 32.77 away (9 = 9), so it goes, and 32.73's infrastructure protects
    # that one in its column; (32.04, kesehatan) takes (32.73, kesehatan) in its column.
    assert suppressed(values, lines) == {
        "reg:32.04",
        "reg:32.77",
        "reg:32.04:cat:kesehatan",
        "reg:32.77:cat:infrastruktur",
        "reg:32.73:cat:infrastruktur",
        "reg:32.73:cat:kesehatan",
    }
