"""Public holidays come from the `holidays` package and close whole local days."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tierdesk.calendars import BusinessCalendar, holidays_for

LONDON = ZoneInfo("Europe/London")
OFFICE = {d: [(540, 1020)] for d in range(5)}


def test_uk_holidays_include_christmas_boxing_day_and_substitute_days():
    days = holidays_for("GB", [2025, 2026])
    assert {date(2025, 12, 25), date(2025, 12, 26), date(2026, 12, 25)} <= days
    assert date(2026, 12, 28) in days  # Boxing Day 2026 is a Saturday: observed Monday
    assert date(2025, 12, 24) not in days
    assert {d.year for d in days} == {2025, 2026}


def test_subdivisions_add_their_own_holidays():
    assert date(2026, 11, 30) in holidays_for("GB", [2026], subdiv="SCT")  # St Andrew's Day
    assert date(2026, 11, 30) not in holidays_for("GB", [2026], subdiv="ENG")


def test_unknown_country_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown country 'XX'"):
        holidays_for("XX", [2026])


def test_unknown_subdivision_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown subdivision 'ZZ'"):
        holidays_for("GB", [2026], subdiv="ZZ")


def test_no_years_means_no_holidays():
    assert holidays_for("GB", []) == frozenset()


def test_christmas_week_skips_christmas_and_boxing_day():
    cal = BusinessCalendar("Europe/London", OFFICE, holidays_for("GB", range(2025, 2027)))
    christmas_eve = datetime(2025, 12, 24, 16, 0, tzinfo=LONDON)  # Wednesday
    due = cal.add(christmas_eve, 240)
    assert due == datetime(2025, 12, 29, 12, 0, tzinfo=UTC)  # Monday: Thu+Fri closed
    assert cal.between(christmas_eve, due) == 240
    assert not cal.is_business_time(datetime(2025, 12, 25, 12, 0, tzinfo=LONDON))
    without = BusinessCalendar("Europe/London", OFFICE)
    assert without.add(christmas_eve, 240) == datetime(2025, 12, 25, 12, 0, tzinfo=UTC)


def test_a_holiday_closes_the_whole_local_day_in_the_calendar_timezone():
    dubai = ZoneInfo("Asia/Dubai")
    cal = BusinessCalendar("Asia/Dubai", {d: [(0, 1440)] for d in range(7)}, [date(2026, 12, 2)])
    eve = datetime(2026, 12, 1, 23, 0, tzinfo=dubai)
    assert cal.add(eve, 120) == datetime(2026, 12, 3, 1, 0, tzinfo=dubai)
