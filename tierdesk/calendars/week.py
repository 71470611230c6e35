"""Validation and normalisation of weekly business-hour specs.

A week spec maps weekday (0=Mon..6=Sun) to local wall-clock ranges in minutes.
Normalising it into a tuple-of-tuples gives calendars a canonical, hashable key,
so equal specs share one cached calendar (and its pre-expanded intervals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

MINUTES_PER_DAY = 1440
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Range = tuple[int, int]
#: Seven entries, index = weekday, each a sorted tuple of disjoint (start, end) minute ranges.
WeekKey = tuple[tuple[Range, ...], ...]

WeekSpec = Mapping[int, Iterable[Iterable[int]]] | Iterable[tuple[int, Iterable[Iterable[int]]]]


def _weekday_label(day: int) -> str:
    return f"weekday {day} ({WEEKDAY_NAMES[day]})"


def _minute(value: object, day: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"{_weekday_label(day)}: range bounds must be whole minutes, got {value!r}"
        )
    return value


def _normalise_day(day: int, ranges: Iterable[Iterable[int]]) -> tuple[Range, ...]:
    """Check one weekday's ranges; touching ranges are merged, overlaps are errors."""
    out: list[Range] = []
    for raw in ranges:
        pair = tuple(raw)
        if len(pair) != 2:
            raise ValueError(f"{_weekday_label(day)}: each range needs (start, end), got {raw!r}")
        start, end = _minute(pair[0], day), _minute(pair[1], day)
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(
                f"{_weekday_label(day)}: range ({start}, {end}) must satisfy "
                f"0 <= start < end <= {MINUTES_PER_DAY}"
            )
        if out and start < out[-1][1]:
            prev = out[-1]
            raise ValueError(
                f"{_weekday_label(day)}: ranges overlap or are unsorted: "
                f"{prev} then ({start}, {end})"
            )
        if out and start == out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def normalise_week(week: WeekSpec) -> WeekKey:
    """Return the canonical week key; raise ValueError naming the bad weekday."""
    items = week.items() if isinstance(week, Mapping) else week
    days: list[tuple[Range, ...]] = [() for _ in range(7)]
    seen: set[int] = set()
    for day, ranges in items:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise ValueError(f"weekday keys must be integers 0 (Monday) .. 6 (Sunday), got {day!r}")
        if day in seen:
            raise ValueError(f"{_weekday_label(day)} is given twice")
        seen.add(day)
        days[day] = _normalise_day(day, ranges)
    key = tuple(days)
    if not any(key):
        raise ValueError(
            "calendar has no business time at all: every weekday is empty, "
            "so adding business time would never finish"
        )
    return key


def normalise_holidays(dates: Iterable[date]) -> frozenset[date]:
    """Holidays are whole local days; a datetime here is almost always a caller bug."""
    out = set()
    for value in dates:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"holidays must be datetime.date values, got {value!r}")
        out.add(value)
    return frozenset(out)


def week_as_dict(key: WeekKey) -> dict[int, list[Range]]:
    """The readable form of a week key (only weekdays with business hours)."""
    return {day: list(ranges) for day, ranges in enumerate(key) if ranges}


ALWAYS_OPEN_WEEK: WeekKey = tuple(((0, MINUTES_PER_DAY),) for _ in range(7))
