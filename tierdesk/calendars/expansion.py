"""Turning local wall-clock business hours into UTC epoch intervals.

Business hours are written in local wall-clock time, but arithmetic must run on
real elapsed time. Expanding each local day into [start, end) UTC epoch-second
intervals once, up front, makes DST a one-time cost instead of a per-call one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .week import WeekKey


def _local(epoch: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch, tz).replace(tzinfo=None)


def wall_to_epoch(wall: datetime, tz: ZoneInfo) -> int:
    """Epoch seconds of a naive local wall-clock time.

    Defined as the earliest instant at which the local clock reads >= ``wall``,
    which keeps the mapping monotonic across DST: a repeated (fall-back) time
    means its first occurrence, and a skipped (spring-forward) time means the
    instant the clock jumps. Ranges spanning a DST change therefore get their
    real elapsed length.
    """
    first = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    second = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    if first == second:
        return first
    lo, hi = min(first, second), max(first, second)
    if _local(lo, tz) == wall:  # repeated hour: both folds exist, take the earlier
        return lo
    # Skipped hour: local(lo) < wall <= local(hi); find the transition instant.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _local(mid, tz) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def local_midnight_epoch(day: date, tz: ZoneInfo) -> int:
    """Epoch of the start of a local day (midnight can itself be skipped in some zones)."""
    return wall_to_epoch(datetime.combine(day, time()), tz)


def expand_days(
    tz: ZoneInfo, week: WeekKey, holidays: frozenset[date], first: date, stop: date
) -> tuple[list[int], list[int]]:
    """Merged business intervals for local days ``first`` <= day < ``stop``.

    Returns parallel lists of start and end epoch seconds, sorted, disjoint and
    with touching intervals merged (e.g. Thursday 24:00 == Friday 00:00).
    """
    starts: list[int] = []
    ends: list[int] = []
    one_day = timedelta(days=1)
    minute = timedelta(minutes=1)
    day = first
    day_start = local_midnight_epoch(day, tz)
    while day < stop:
        following = day + one_day
        day_end = local_midnight_epoch(following, tz)
        ranges = week[day.weekday()]
        if ranges and day not in holidays:
            # A 24-hour local day has no DST change, so wall minutes are plain offsets
            # from midnight; only change days pay for the careful conversion.
            plain = day_end - day_start == 86400
            midnight = datetime.combine(day, time())
            for lo_min, hi_min in ranges:
                if plain:
                    a, b = day_start + lo_min * 60, day_start + hi_min * 60
                else:
                    a = wall_to_epoch(midnight + lo_min * minute, tz)
                    b = wall_to_epoch(midnight + hi_min * minute, tz)
                if b <= a:  # range lies wholly inside a skipped hour
                    continue
                if ends and ends[-1] == a:
                    ends[-1] = b
                else:
                    starts.append(a)
                    ends.append(b)
        day, day_start = following, day_end
    return starts, ends


def join(
    left: tuple[list[int], list[int]], right: tuple[list[int], list[int]]
) -> tuple[list[int], list[int]]:
    """Concatenate two adjacent interval runs, merging an interval cut by the seam."""
    ls, le = left
    rs, re_ = right
    if le and rs and le[-1] == rs[0]:
        return ls + rs[1:], le[:-1] + re_
    return ls + rs, le + re_
