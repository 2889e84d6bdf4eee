import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.calendar import (
    EXTRA_HOLIDAY_NAME,
    ServiceLevels,
    WorkingCalendar,
    default_calendar,
)

WIB = ZoneInfo("Asia/Jakarta")


def wib(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def end_of(y, m, d):
    """The deadline instant for a last working day: local midnight after it."""
    return wib(y, m, d) + timedelta(days=1)


@pytest.fixture
def cal():
    return WorkingCalendar()


# --- holiday data ---


def test_march_2026_nyepi_idul_fitri_and_joint_leave_are_not_working_days(cal):
    assert cal.holiday_name(date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert cal.holiday_name(date(2026, 3, 21)) == "Hari Raya Idul Fitri"
    for day in (18, 20, 23, 24):
        assert cal.holiday_name(date(2026, 3, day)).startswith("Cuti Bersama")
    non_working = [d for d in range(16, 28) if not cal.is_working_day(date(2026, 3, d))]
    assert non_working == [18, 19, 20, 21, 22, 23, 24]


def test_weekend_is_not_a_working_day_but_has_no_holiday_name(cal):
    assert not cal.is_working_day(date(2026, 1, 10))
    assert cal.holiday_name(date(2026, 1, 10)) is None
    assert cal.is_working_day(date(2026, 1, 12))


def test_extra_holidays():
    cal = WorkingCalendar(extra_holidays=[date(2026, 1, 13)])
    assert cal.holiday_name(date(2026, 1, 13)) == EXTRA_HOLIDAY_NAME
    assert cal.add_working_days(wib(2026, 1, 12, 10), 1) == end_of(2026, 1, 14)


def test_holidays_are_the_packages_calendar_for_indonesia(cal):
    """In the table's years and after them (2036 on: from the package itself)."""
    import holidays

    expected = holidays.country_holidays(
        "ID", categories=("public", "government"), language="id", years=range(2024, 2039)
    )
    assert len(expected) > 200
    day = date(2024, 1, 1)
    while day < date(2039, 1, 1):
        assert cal.holiday_name(day) == expected.get(day), day
        day += timedelta(days=1)


def test_the_holiday_table_is_what_the_pinned_holidays_package_gives():
    """After upgrading `holidays`: python -m ops.holiday_table."""
    from chalicelib.domain import holiday_table
    from ops.holiday_table import render

    assert render() == Path(holiday_table.__file__).read_text()
    assert (holiday_table.FIRST_YEAR, holiday_table.LAST_YEAR) == (2024, 2035)


def test_a_year_in_the_table_does_not_load_the_holidays_package():
    check = (
        "import json, sys\n"
        "from datetime import UTC, datetime\n"
        "from chalicelib.domain.calendar import WorkingCalendar\n"
        "due = WorkingCalendar().add_working_days(datetime(2026, 3, 17, tzinfo=UTC), 1)\n"
        "print(json.dumps([due.isoformat(), 'holidays' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd="."
    )
    # Nyepi, Idul Fitri and the joint leave days around them: Wednesday 25 March
    assert json.loads(out.stdout) == ["2026-03-25T17:00:00+00:00", False]


def test_after_the_table_loads_indonesia_only_and_a_later_import_of_all_reuses_it():
    check = (
        "import json, sys\n"
        "from datetime import date\n"
        "from chalicelib.domain.calendar import WorkingCalendar\n"
        "name = WorkingCalendar().holiday_name(date(2040, 8, 17))\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('holidays.countries'))\n"
        "import holidays.countries, holidays.countries.indonesia as indonesia\n"
        "same = holidays.countries.Indonesia is indonesia.Indonesia\n"
        "print(json.dumps([name, loaded, same]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd="."
    )
    name, loaded, same = json.loads(out.stdout)
    assert name == "Hari Kemerdekaan Republik Indonesia"
    assert loaded == ["holidays.countries.indonesia"]
    assert same


def test_default_calendar_is_shared():
    assert default_calendar() is default_calendar()
    assert default_calendar().tz == WIB


# --- add_working_days ---


def test_disposed_before_nyepi_and_idul_fitri_due_end_of_31_march(cal):
    due = cal.add_working_days(wib(2026, 3, 17, 10), 5)
    assert due == end_of(2026, 3, 31)
    assert due == datetime(2026, 3, 31, 17, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_crosses_a_weekend(cal):
    # Thu 8 Jan 2026: Fri 9, Mon 12
    assert cal.add_working_days(wib(2026, 1, 8, 14), 2) == end_of(2026, 1, 12)


def test_crosses_the_year_boundary(cal):
    # Wed 23 Dec 2026: 24 cuti bersama, 25 Christmas, weekend, 28-31, 1 Jan New Year,
    # weekend, Mon 4 Jan 2027; Tue 5 Jan 2027 is Isra Mikraj
    start = wib(2026, 12, 23, 10)
    assert cal.add_working_days(start, 4) == end_of(2026, 12, 31)
    assert cal.add_working_days(start, 5) == end_of(2027, 1, 4)
    assert cal.add_working_days(start, 6) == end_of(2027, 1, 6)


@pytest.mark.parametrize(
    "start",
    [wib(2026, 1, 9, 8), wib(2026, 1, 9, 23, 59), wib(2026, 1, 10, 10), wib(2026, 1, 11, 22)],
    ids=["friday-morning", "friday-night", "saturday", "sunday"],
)
def test_the_start_day_never_counts_whatever_it_is(cal, start):
    assert cal.add_working_days(start, 1) == end_of(2026, 1, 12)


def test_the_local_date_decides_not_the_utc_date(cal):
    # 23:30 in Jakarta is still Monday; 23:30 UTC is already Tuesday 06:30 in Jakarta
    assert cal.add_working_days(wib(2026, 1, 12, 23, 30), 1) == end_of(2026, 1, 13)
    assert cal.add_working_days(datetime(2026, 1, 12, 23, 30, tzinfo=UTC), 1) == end_of(2026, 1, 14)


def test_deadline_is_local_midnight_of_the_calendars_time_zone():
    cal = WorkingCalendar("Asia/Makassar")  # WITA, UTC+8
    due = cal.add_working_days(datetime(2026, 1, 12, 10, tzinfo=UTC), 1)
    assert due == datetime(2026, 1, 13, 16, tzinfo=UTC)


def test_at_least_one_day(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(wib(2026, 1, 12), 0)


# --- warning_at ---


@pytest.mark.parametrize(
    ("deadline", "warning"),
    [
        (end_of(2026, 3, 31), wib(2026, 3, 30)),
        (end_of(2026, 1, 12), wib(2026, 1, 9)),  # Monday -> the Friday before
        (end_of(2026, 3, 25), wib(2026, 3, 17)),  # back over Nyepi and Idul Fitri
        (end_of(2027, 1, 4), wib(2026, 12, 31)),  # back over New Year
    ],
)
def test_warning_one_working_day_before_the_deadline(cal, deadline, warning):
    assert cal.warning_at(deadline) == warning


# --- working_days_left and pausing ---


def test_working_days_left(cal):
    deadline = end_of(2026, 3, 31)
    assert cal.working_days_left(wib(2026, 3, 17, 10), deadline) == 5
    assert cal.working_days_left(wib(2026, 3, 25, 23, 59), deadline) == 4
    assert cal.working_days_left(wib(2026, 3, 30, 9), deadline) == 1
    # due today: what is left of today still counts as one
    assert cal.working_days_left(wib(2026, 3, 31, 9), deadline) == 1
    assert cal.working_days_left(deadline, deadline) == 0
    assert cal.working_days_left(wib(2026, 4, 1, 9), deadline) == 0


def test_pause_and_resume_across_a_weekend(cal):
    # Mon 6 Jul 2026, 5 working days: due end of Mon 13 Jul
    deadline = cal.add_working_days(wib(2026, 7, 6, 9), 5)
    assert deadline == end_of(2026, 7, 13)

    paused = wib(2026, 7, 9, 15)  # Thursday: Fri 10 and Mon 13 remain
    remaining = cal.working_days_left(paused, deadline)
    assert remaining == 2

    # resuming at once gives the same deadline back
    assert cal.add_working_days(paused, remaining) == deadline
    # resumed on Monday after the weekend: Tue 14, Wed 15
    assert cal.add_working_days(wib(2026, 7, 13, 8), remaining) == end_of(2026, 7, 15)


def test_paused_on_the_last_day_keeps_one_day(cal):
    deadline = end_of(2026, 7, 13)
    remaining = cal.working_days_left(wib(2026, 7, 13, 10), deadline)
    assert remaining == 1
    assert cal.add_working_days(wib(2026, 7, 14, 10), remaining) == end_of(2026, 7, 15)


def test_naive_datetimes_are_refused(cal):
    naive = datetime(2026, 3, 17, 10)
    aware = wib(2026, 3, 17, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_days_left(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_days_left(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.warning_at(naive)


# --- service levels ---


def test_service_level_defaults():
    assert ServiceLevels.for_report(None, None) == ServiceLevels(3, 5, 10)


def test_agency_beats_category_beats_default():
    levels = ServiceLevels.for_report(
        {"first_response_days": 7, "completion_days": 14},
        {"completion_days": 20},
    )
    assert levels == ServiceLevels(verify_days=3, first_response_days=7, completion_days=20)
    assert ServiceLevels.for_report(None, {"verify_days": 1}).verify_days == 1
    assert ServiceLevels.for_report({}, {}) == ServiceLevels()


@pytest.mark.parametrize("value", [0, 61, -1, 5.0, "5", True, None])
def test_service_level_values_are_integers_from_1_to_60(value):
    with pytest.raises(ValueError):
        ServiceLevels.for_report({"completion_days": value}, None)
    with pytest.raises(ValueError):
        ServiceLevels.for_report(None, {"completion_days": value})


def test_service_level_bounds_are_inclusive():
    assert ServiceLevels.for_report({"verify_days": 1}, {"completion_days": 60}) == (
        ServiceLevels(verify_days=1, completion_days=60)
    )


def test_unknown_service_level_is_refused():
    with pytest.raises(ValueError, match="unknown service levels: response_days"):
        ServiceLevels.for_report({"response_days": 7}, None)
