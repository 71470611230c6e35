"""Handbook examples and the calendar's contract (validation, identity, caching)."""

import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk.calendars import ALWAYS, BusinessCalendar, get_calendar

DUBAI = ZoneInfo("Asia/Dubai")
LONDON = ZoneInfo("Europe/London")
NEXACORE_WEEK = {6: [(0, 1440)], 0: [(0, 1440)], 1: [(0, 1440)], 2: [(0, 1440)], 3: [(0, 1440)]}
UK_OFFICE = {d: [(540, 1020)] for d in range(5)}


@pytest.fixture
def nexacore():
    return BusinessCalendar(timezone="Asia/Dubai", week=NEXACORE_WEEK)


@pytest.fixture
def dataflow():
    return BusinessCalendar(timezone="Europe/London", week=UK_OFFICE)


def test_nexacore_ticket_opened_thursday_2200_dubai_resumes_sunday_0000(nexacore):
    opened = datetime(2026, 3, 5, 22, 0, tzinfo=DUBAI)
    assert opened.strftime("%A") == "Thursday"
    due = nexacore.add(opened, 180)
    assert due == datetime(2026, 3, 8, 1, 0, tzinfo=DUBAI)
    assert due.astimezone(DUBAI).strftime("%A %H:%M") == "Sunday 01:00"
    assert due.tzinfo is UTC
    assert nexacore.between(opened, datetime(2026, 3, 6, 0, 0, tzinfo=DUBAI)) == 120
    assert nexacore.next_business_instant(datetime(2026, 3, 6, 9, tzinfo=DUBAI)) == datetime(
        2026, 3, 8, 0, 0, tzinfo=DUBAI
    )


def test_uk_p1_clock_starts_at_0900_gmt(dataflow):
    opened = datetime(2026, 1, 13, 3, 0, tzinfo=LONDON)
    assert opened.strftime("%A") == "Tuesday"
    assert dataflow.add(opened, 4 * 60) == datetime(2026, 1, 13, 13, 0, tzinfo=UTC)


def test_a_deadline_can_land_exactly_on_closing_time(dataflow):
    opened = datetime(2026, 1, 13, 13, 0, tzinfo=LONDON)
    assert dataflow.add(opened, 240) == datetime(2026, 1, 13, 17, 0, tzinfo=UTC)
    assert dataflow.add(opened, 241) == datetime(2026, 1, 14, 9, 1, tzinfo=UTC)


def test_business_time_used_up_at_closing_time_ran_out_at_closing_time(dataflow):
    """A clock re-evaluated in the evening (or next morning) after its time ran out at
    17:00 was due at 17:00: not at the re-evaluation, not at the next opening."""
    tuesday_close = datetime(2026, 1, 13, 17, 0, tzinfo=UTC)
    assert dataflow.ran_out(datetime(2026, 1, 13, 18, 30, tzinfo=LONDON)) == tuesday_close
    assert dataflow.ran_out(datetime(2026, 1, 14, 8, 0, tzinfo=LONDON)) == tuesday_close
    # Overdrawn by Wednesday's first hour: it ran out at Tuesday's close too.
    assert dataflow.ran_out(datetime(2026, 1, 14, 10, 0, tzinfo=LONDON), 60) == tuesday_close
    noon = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    assert dataflow.ran_out(noon) == noon  # inside business hours: right then
    assert dataflow.ran_out(noon, 90) == datetime(2026, 1, 13, 10, 30, tzinfo=UTC)
    assert dataflow.ran_out(datetime(2026, 1, 19, 8, 0, tzinfo=LONDON), 8 * 60) == \
        datetime(2026, 1, 15, 17, 0, tzinfo=UTC)  # Monday before opening: Friday used up


def test_running_out_needs_a_non_negative_overdraft(dataflow):
    with pytest.raises(ValueError, match="overdrawn"):
        dataflow.ran_out(datetime(2026, 1, 13, 12, 0, tzinfo=UTC), -1)


def test_friday_afternoon_ticket_rolls_over_the_weekend(dataflow):
    opened = datetime(2026, 1, 16, 15, 30, tzinfo=LONDON)  # Friday
    assert dataflow.add(opened, 180) == datetime(2026, 1, 19, 10, 30, tzinfo=UTC)  # Monday


def test_zero_minutes_means_the_next_business_instant(dataflow):
    inside = datetime(2026, 1, 13, 10, 15, tzinfo=LONDON)
    evening = datetime(2026, 1, 13, 19, 0, tzinfo=LONDON)
    assert dataflow.add(inside, 0) == inside
    assert dataflow.add(evening, 0) == datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
    assert dataflow.next_business_instant(inside) == inside
    closing = datetime(2026, 1, 13, 17, 0, tzinfo=LONDON)
    assert dataflow.next_business_instant(closing) == datetime(2026, 1, 14, 9, tzinfo=UTC)


def test_business_time_is_half_open_at_opening_and_closing(dataflow):
    assert dataflow.is_business_time(datetime(2026, 1, 13, 9, 0, tzinfo=LONDON))
    assert dataflow.is_business_time(datetime(2026, 1, 13, 16, 59, 59, tzinfo=LONDON))
    assert not dataflow.is_business_time(datetime(2026, 1, 13, 17, 0, tzinfo=LONDON))
    assert not dataflow.is_business_time(datetime(2026, 1, 17, 12, 0, tzinfo=LONDON))  # Sat


def test_between_counts_only_business_minutes(dataflow):
    monday = datetime(2026, 1, 12, 0, 0, tzinfo=LONDON)
    assert dataflow.between(monday, monday + timedelta(days=7)) == 5 * 8 * 60
    assert dataflow.between(monday + timedelta(days=7), monday) == 0
    assert dataflow.between(monday, monday) == 0


def test_always_adds_plain_wall_clock_minutes():
    start = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)  # across the UK spring-forward
    assert ALWAYS.add(start, 90) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert ALWAYS.add(start, 90).astimezone(LONDON).hour == 3  # wall clock jumped an hour
    assert ALWAYS.between(start, datetime(2026, 3, 29, 5, 30, tzinfo=UTC)) == 300
    assert ALWAYS.is_business_time(start)
    assert ALWAYS.next_business_instant(start) == start
    assert ALWAYS.add_epoch(1_000.0, 60.0) == 1_060.0
    assert ALWAYS.between_epoch(5.0, 1.0) == 0.0


def test_naive_datetimes_are_rejected(dataflow):
    naive = datetime(2026, 1, 13, 9, 0)
    with pytest.raises(ValueError, match="naive"):
        dataflow.add(naive, 10)
    with pytest.raises(ValueError, match="naive"):
        dataflow.between(naive, datetime(2026, 1, 14, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        dataflow.is_business_time(naive)
    with pytest.raises(ValueError, match="naive"):
        ALWAYS.add(naive, 10)


def test_negative_or_non_finite_durations_are_rejected(dataflow):
    start = datetime(2026, 1, 13, 9, 0, tzinfo=LONDON)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            dataflow.add(start, bad)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ({2: [(540, 720), (700, 900)]}, "Wednesday"),
        ({4: [(700, 900), (540, 600)]}, "Friday"),
        ({0: [(600, 500)]}, "Monday"),
        ({6: [(0, 1441)]}, "Sunday"),
        ({7: [(0, 60)]}, "0 \\(Monday\\) .. 6"),
        ({1: [(9.5, 17)]}, "Tuesday"),
    ],
)
def test_bad_weeks_are_rejected_naming_the_weekday(week, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("Europe/London", week)


def test_a_calendar_with_no_business_time_is_rejected():
    with pytest.raises(ValueError, match="no business time"):
        BusinessCalendar("Europe/London", {})
    with pytest.raises(ValueError, match="no business time"):
        BusinessCalendar("Europe/London", {0: [], 1: []})


def test_unknown_timezone_is_rejected():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        BusinessCalendar("Mars/Olympus", UK_OFFICE)


def test_touching_ranges_merge_into_one():
    split = BusinessCalendar("Europe/London", {0: [(540, 720), (720, 1020)]})
    whole = BusinessCalendar("Europe/London", {0: [(540, 1020)]})
    assert split == whole
    assert hash(split) == hash(whole)


def test_calendars_are_immutable_and_hashable(dataflow):
    with pytest.raises(AttributeError):
        dataflow.timezone = "UTC"
    with pytest.raises(AttributeError):
        dataflow._holidays = frozenset()
    same = BusinessCalendar("Europe/London", UK_OFFICE)
    assert {dataflow: 1}[same] == 1
    assert dataflow != BusinessCalendar("Europe/Dublin", UK_OFFICE)


def test_with_extra_holidays_returns_a_new_calendar(dataflow):
    closed = dataflow.with_extra_holidays([date(2026, 1, 13)])
    assert closed is not dataflow
    assert dataflow.holidays == frozenset()
    assert closed.holidays == {date(2026, 1, 13)}
    opened = datetime(2026, 1, 13, 10, tzinfo=LONDON)
    assert closed.add(opened, 60) == datetime(2026, 1, 14, 10, tzinfo=UTC)
    assert dataflow.add(opened, 60) == datetime(2026, 1, 13, 11, tzinfo=UTC)


def test_holidays_must_be_dates_not_datetimes():
    with pytest.raises(ValueError, match="date"):
        BusinessCalendar("Europe/London", UK_OFFICE, [datetime(2026, 1, 1, tzinfo=UTC)])


def test_from_spec_and_get_calendar_share_one_cached_instance(dataflow):
    a = BusinessCalendar.from_spec("Europe/London", UK_OFFICE, [])
    b = BusinessCalendar.from_spec("Europe/London", {d: [[540, 1020]] for d in range(5)}, ())
    assert a is b
    assert a is get_calendar("Europe/London", dataflow.week_key, frozenset())
    assert a == dataflow


def test_a_calendar_survives_pickling(dataflow):
    copy = pickle.loads(pickle.dumps(dataflow))
    opened = datetime(2026, 1, 13, 3, 0, tzinfo=LONDON)
    assert copy == dataflow
    assert copy.add(opened, 240) == dataflow.add(opened, 240)


def test_far_away_dates_work_and_leave_near_dates_correct(dataflow):
    near = datetime(2026, 1, 13, 3, 0, tzinfo=LONDON)
    far = datetime(2210, 6, 7, 12, 0, tzinfo=LONDON)  # a Tuesday, far beyond the window
    assert dataflow.add(far, 60) == datetime(2210, 6, 7, 12, 0, tzinfo=UTC)  # BST
    assert dataflow.add(near, 240) == datetime(2026, 1, 13, 13, 0, tzinfo=UTC)
    old = datetime(1985, 1, 15, 16, 0, tzinfo=LONDON)  # a Tuesday
    assert dataflow.add(old, 120) == datetime(1985, 1, 16, 10, 0, tzinfo=UTC)


def test_huge_durations_and_long_spans_cross_window_limits(dataflow):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)  # a Monday
    end = datetime(2056, 1, 5, 12, 0, tzinfo=LONDON)  # a Wednesday, midday
    minutes = dataflow.between(start, end)
    assert dataflow.add(start, minutes) == end
    assert dataflow.add(start, minutes + 60) == end + timedelta(hours=1)
    assert minutes == pytest.approx(30 * 52.18 * 5 * 480, rel=0.01)
