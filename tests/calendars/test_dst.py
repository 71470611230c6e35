"""DST: business hours are local wall clock, elapsed business time is real time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tierdesk.calendars import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {d: [(540, 1020)] for d in range(5)}
# Every day open, plus one far-away holiday so this is not the 24/7 shortcut.
ROUND_THE_CLOCK = {d: [(0, 1440)] for d in range(7)}
FAR_HOLIDAY = [date(2099, 1, 1)]


def test_london_0900_1700_is_0800_1600_utc_in_summer_and_0900_1700_in_winter():
    cal = BusinessCalendar("Europe/London", OFFICE)
    summer_monday = datetime(2026, 7, 13, 0, 0, tzinfo=UTC)
    assert cal.next_business_instant(summer_monday) == datetime(2026, 7, 13, 8, 0, tzinfo=UTC)
    assert cal.add(summer_monday, 480) == datetime(2026, 7, 13, 16, 0, tzinfo=UTC)
    winter_monday = datetime(2026, 1, 12, 0, 0, tzinfo=UTC)
    assert cal.next_business_instant(winter_monday) == datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    assert cal.add(winter_monday, 480) == datetime(2026, 1, 12, 17, 0, tzinfo=UTC)
    assert cal.is_business_time(datetime(2026, 7, 13, 15, 30, tzinfo=UTC))
    assert not cal.is_business_time(datetime(2026, 7, 13, 16, 30, tzinfo=UTC))


def test_london_office_clock_across_the_spring_forward_weekend():
    cal = BusinessCalendar("Europe/London", OFFICE)
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=LONDON)  # GMT
    due = cal.add(friday, 120)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)  # Monday, BST
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_london_office_clock_across_the_fall_back_weekend():
    cal = BusinessCalendar("Europe/London", OFFICE)
    friday = datetime(2026, 10, 23, 16, 0, tzinfo=LONDON)  # BST
    assert cal.add(friday, 120) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # Monday, GMT


def test_new_york_office_clock_across_spring_forward_and_fall_back():
    cal = BusinessCalendar("America/New_York", OFFICE)
    assert cal.add(datetime(2026, 3, 6, 16, 0, tzinfo=NEW_YORK), 120) == datetime(
        2026, 3, 9, 14, 0, tzinfo=UTC  # Monday 10:00 EDT
    )
    assert cal.add(datetime(2026, 10, 30, 16, 0, tzinfo=NEW_YORK), 120) == datetime(
        2026, 11, 2, 15, 0, tzinfo=UTC  # Monday 10:00 EST
    )


@pytest.mark.parametrize(
    ("zone", "spring_day", "fall_day"),
    [
        ("Europe/London", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_whole_days_last_23_and_25_hours_on_dst_change_days(zone, spring_day, fall_day):
    cal = BusinessCalendar(zone, ROUND_THE_CLOCK, FAR_HOLIDAY)
    tz = ZoneInfo(zone)

    def day_minutes(day):
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        end = datetime(day.year, day.month, day.day + 1, tzinfo=tz)
        return cal.between(start, end)

    assert day_minutes(spring_day) == 23 * 60
    assert day_minutes(fall_day) == 25 * 60
    assert day_minutes(date(2026, 6, 10)) == 24 * 60


def test_a_range_spanning_the_skipped_hour_has_its_real_length():
    cal = BusinessCalendar("Europe/London", {6: [(0, 240)]})  # Sundays 00:00-04:00
    spring = datetime(2026, 3, 29, 0, 0, tzinfo=LONDON)
    assert cal.between(spring, datetime(2026, 3, 29, 12, tzinfo=LONDON)) == 180
    assert cal.add(spring, 180) == datetime(2026, 3, 29, 4, 0, tzinfo=LONDON)
    fall = datetime(2026, 10, 25, 0, 0, tzinfo=LONDON)
    assert cal.between(fall, datetime(2026, 10, 25, 12, tzinfo=LONDON)) == 300
    assert cal.add(fall, 300) == datetime(2026, 10, 25, 4, 0, tzinfo=LONDON)


def test_an_opening_time_inside_the_skipped_hour_opens_when_the_clocks_jump():
    cal = BusinessCalendar("Europe/London", {6: [(90, 180)]})  # Sundays 01:30-03:00
    spring = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert cal.next_business_instant(spring) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert cal.between(spring, datetime(2026, 3, 30, tzinfo=UTC)) == 60


def test_an_opening_time_inside_the_repeated_hour_means_its_first_occurrence():
    cal = BusinessCalendar("Europe/London", {6: [(90, 180)]})  # Sundays 01:30-03:00
    fall = datetime(2026, 10, 25, 0, 0, tzinfo=LONDON)
    assert cal.next_business_instant(fall) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert cal.between(fall, datetime(2026, 10, 26, tzinfo=UTC)) == 150


def test_new_york_overnight_ticket_counts_real_hours_through_spring_forward():
    cal = BusinessCalendar("America/New_York", ROUND_THE_CLOCK, FAR_HOLIDAY)
    saturday_late = datetime(2026, 3, 7, 23, 0, tzinfo=NEW_YORK)
    assert cal.add(saturday_late, 240) == datetime(2026, 3, 8, 4, 0, tzinfo=NEW_YORK)  # EDT
