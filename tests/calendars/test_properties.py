"""Property tests: the fast epoch path against a slow day-by-day reference walk.

The reference below is deliberately naive (it re-derives every local day's
intervals with zoneinfo on each call) and is the oracle for the fast path.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk.calendars import BusinessCalendar

ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Dubai", "Australia/Lord_Howe",
         "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"]
TOLERANCE = timedelta(microseconds=5)
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the reference walk --------------------------------------------------------------


def ref_wall_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """Earliest instant whose local clock reads >= wall (scan through skipped hours)."""
    candidates = [wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    real = [c for c in candidates if c.astimezone(tz).replace(tzinfo=None) == wall]
    if real:
        return min(real)
    probe = min(candidates)
    while probe.astimezone(tz).replace(tzinfo=None) < wall:
        probe += timedelta(minutes=1)
    while (probe - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) >= wall:
        probe -= timedelta(seconds=1)
    return probe


_DAYS: dict[tuple[BusinessCalendar, date], list[tuple[datetime, datetime]]] = {}


def ref_day(cal: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if (cal, day) not in _DAYS:
        _DAYS[cal, day] = _ref_day(cal, day)
    return _DAYS[cal, day]


def _ref_day(cal: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if day in cal.holidays:
        return []
    midnight = datetime(day.year, day.month, day.day)
    out = []
    for lo, hi in cal.week.get(day.weekday(), []):
        a = ref_wall_to_utc(midnight + timedelta(minutes=lo), cal.tzinfo)
        b = ref_wall_to_utc(midnight + timedelta(minutes=hi), cal.tzinfo)
        if b > a:
            out.append((a, b))
    return out


def ref_add(cal: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    remaining = timedelta(minutes=minutes)
    day = start.astimezone(cal.tzinfo).date() - timedelta(days=1)
    while True:
        for a, b in ref_day(cal, day):
            if b <= start:
                continue
            begin = max(a, start)
            if minutes == 0:
                return begin
            if remaining <= b - begin:
                return begin + remaining
            remaining -= b - begin
        day += timedelta(days=1)


def ref_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    total = timedelta()
    day = start.astimezone(cal.tzinfo).date() - timedelta(days=1)
    while day <= end.astimezone(cal.tzinfo).date() + timedelta(days=1):
        for a, b in ref_day(cal, day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total / timedelta(minutes=1)


# -- strategies ------------------------------------------------------------------------


@st.composite
def day_ranges(draw):
    cuts = sorted(draw(st.sets(st.sampled_from(range(0, 1441, 15)) | st.integers(0, 1440),
                               max_size=6)))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


@st.composite
def calendars(draw):
    week = {d: draw(day_ranges()) for d in range(7)}
    if sum(hi - lo for ranges in week.values() for lo, hi in ranges) < 600:
        # Keep the reference walk short: at least ten business hours a week.
        week[draw(st.integers(0, 6))] = [(480, 1080)]
    holidays = draw(st.sets(st.dates(date(2025, 12, 1), date(2026, 12, 31)), max_size=30))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), week, holidays)


starts = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))
durations = st.floats(0, 72 * 60, allow_nan=False) | st.integers(0, 72 * 60)
positive = st.floats(0.25, 36 * 60) | st.integers(1, 36 * 60)


def close(a: datetime, b: datetime) -> bool:
    return abs(a - b) <= TOLERANCE


# -- properties ------------------------------------------------------------------------


@FAST
@given(cal=calendars(), start=starts, minutes=st.lists(durations, min_size=1, max_size=4))
def test_fast_add_matches_the_reference_walk(cal, start, minutes):
    for n in minutes:
        assert close(cal.add(start, n), ref_add(cal, start, n)), (cal, start, n)


@FAST
@given(cal=calendars(), start=starts, span=st.floats(0, 96 * 60))
def test_fast_between_matches_the_reference_walk(cal, start, span):
    end = start + timedelta(minutes=span)
    assert abs(cal.between(start, end) - ref_between(cal, start, end)) < 1e-6
    assert cal.between(end, start) == 0


@FAST
@given(cal=calendars(), start=starts, n=durations)
def test_between_start_and_add_start_n_is_n(cal, start, n):
    opening = cal.next_business_instant(start)
    assert cal.is_business_time(opening)
    assert abs(cal.between(opening, cal.add(opening, n)) - n) < 1e-5


@FAST
@given(cal=calendars(), start=starts, a=durations, b=durations)
def test_add_is_monotonic_in_minutes(cal, start, a, b):
    small, large = sorted((a, b))
    assert cal.add(start, small) <= cal.add(start, large) + TOLERANCE


@FAST
@given(cal=calendars(), s1=starts, s2=starts, n=durations)
def test_add_is_monotonic_in_start(cal, s1, s2, n):
    early, late = sorted((s1, s2))
    assert cal.add(early, n) <= cal.add(late, n) + TOLERANCE


@FAST
@given(cal=calendars(), start=starts, a=positive, b=positive)
def test_adding_in_two_steps_equals_adding_once(cal, start, a, b):
    assert close(cal.add(start, a + b), cal.add(cal.add(start, a), b))


@FAST
@given(cal=calendars(), at=starts)
def test_is_business_time_agrees_with_the_reference_intervals(cal, at):
    day = at.astimezone(cal.tzinfo).date()
    inside = any(a <= at < b for d in (-1, 0, 1) for a, b in ref_day(cal, day + timedelta(d)))
    assert cal.is_business_time(at) == inside
    assert cal.next_business_instant(at) == ref_add(cal, at, 0)


@FAST
@given(cal=calendars(), end=starts, n=durations)
def test_ran_out_leaves_exactly_the_overdraft_and_sits_at_the_end_of_business_time(cal, end, n):
    ran_out = cal.ran_out(end, n)
    assert ran_out <= end
    assert abs(cal.between(ran_out, end) - n) < 1e-5
    # The earliest such instant: business time runs right before it (it is a closing
    # time or inside business hours), so nothing earlier leaves the same overdraft.
    assert cal.between(ran_out - timedelta(seconds=1), ran_out) > 0
