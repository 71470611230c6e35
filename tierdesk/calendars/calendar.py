"""BusinessCalendar: business-time arithmetic over local wall-clock hours.

Why the design: SLA clocks are evaluated constantly (every ticket list, every
escalation sweep), so ``add``/``between`` must cost about a microsecond. We
lazily expand business hours into UTC epoch intervals for a window of years,
keep prefix sums of business seconds, and answer every query with two
``bisect`` calls. The window grows on demand in either direction.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from types import MethodType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .expansion import expand_days, join, local_midnight_epoch
from .fastpath import MIN_FAST_SECONDS, cum_tables, epoch_tables, make_add, make_between
from .week import (
    ALWAYS_OPEN_WEEK,
    WeekKey,
    WeekSpec,
    normalise_holidays,
    normalise_week,
    week_as_dict,
)

_INF = math.inf
#: (lo, hi, hi_fast, total, starts+[inf], ends, cum_start (n+1, last=total), cum_end)
_Window = tuple[float, float, float, float, list[float], list[float], list[float], list[float]]
_EMPTY_WINDOW: _Window = (_INF, -_INF, -_INF, 0.0, [_INF], [], [0.0], [])

_FIRST_DAY = date(1, 1, 2)
_LAST_DAY = date(9999, 12, 30)
#: A contiguous window never spans more than this; beyond it we start afresh.
_MAX_WINDOW_DAYS = 60 * 366
_MAX_GROWTH_DAYS = 8 * 366


def _load_zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValueError(f"timezone must be an IANA name such as 'Europe/London', got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {name!r}") from exc


def _epoch_of(value: datetime, name: str) -> float:
    """Naive datetimes are ambiguous about their instant, so they are refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; business time needs an aware datetime")
    return value.timestamp()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _clamp(day: date) -> date:
    return min(max(day, _FIRST_DAY), _LAST_DAY)


class BusinessCalendar:
    """Immutable business hours (local wall clock) + holidays in one IANA timezone."""

    # No __slots__: each instance stores its window-specialised fast paths
    # (see fastpath.py) in its __dict__, shadowing add_epoch/between_epoch.

    def __new__(
        cls, timezone: str, week: WeekSpec, holidays: Iterable[date] = frozenset()
    ) -> BusinessCalendar:
        if cls is BusinessCalendar:
            key, hols = normalise_week(week), normalise_holidays(holidays)
            if key == ALWAYS_OPEN_WEEK and not hols:
                cls = _AlwaysOpenCalendar
        return super().__new__(cls)

    def __init__(
        self, timezone: str, week: WeekSpec, holidays: Iterable[date] = frozenset()
    ) -> None:
        tz = _load_zone(timezone)
        key = normalise_week(week)
        hols = normalise_holidays(holidays)
        init = object.__setattr__
        init(self, "_tz", tz)
        init(self, "_tzname", timezone)
        init(self, "_week", key)
        init(self, "_holidays", hols)
        init(self, "_hash", hash((timezone, key, hols)))
        init(self, "_fast", _EMPTY_WINDOW)
        init(self, "_days", None)
        init(self, "_runs", ([], []))
        init(self, "_lock", threading.Lock())

    # -- construction helpers -------------------------------------------------

    @classmethod
    def from_spec(
        cls, timezone: str, week: WeekSpec, holidays: Iterable[date] = frozenset()
    ) -> BusinessCalendar:
        """Like the constructor, but shares one cached instance per distinct spec."""
        return get_calendar(timezone, normalise_week(week), normalise_holidays(holidays))

    def with_extra_holidays(self, dates: Iterable[date]) -> BusinessCalendar:
        """A new calendar (this one is immutable) that also closes on ``dates``."""
        return BusinessCalendar.from_spec(
            self._tzname, week_as_dict(self._week), self._holidays | normalise_holidays(dates)
        )

    # -- identity ---------------------------------------------------------------

    @property
    def timezone(self) -> str:
        return self._tzname

    @property
    def tzinfo(self) -> ZoneInfo:
        return self._tz

    @property
    def week(self) -> dict[int, list[tuple[int, int]]]:
        return week_as_dict(self._week)

    @property
    def week_key(self) -> WeekKey:
        return self._week

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BusinessCalendar is immutable; use with_extra_holidays()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("BusinessCalendar is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return (self._tzname, self._week, self._holidays) == (
            other._tzname, other._week, other._holidays
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (BusinessCalendar, (self._tzname, week_as_dict(self._week), self._holidays))

    def __repr__(self) -> str:
        return (f"BusinessCalendar(timezone={self._tzname!r}, week={week_as_dict(self._week)!r}, "
                f"holidays=<{len(self._holidays)} dates>)")

    # -- datetime API (thin wrappers over the epoch fast path) ----------------------

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` business minutes after ``start``, in UTC."""
        return _utc(self.add_epoch(_epoch_of(start, "start"), float(minutes) * 60.0))

    def between(self, start: datetime, end: datetime) -> float:
        """Business minutes in [start, end); 0 when end <= start."""
        return self.between_epoch(_epoch_of(start, "start"), _epoch_of(end, "end")) / 60.0

    def ran_out(self, end: datetime, minutes: float = 0.0) -> datetime:
        """When business time overdrawn by ``minutes`` at ``end`` ran out (UTC); see
        ``ran_out_epoch``."""
        return _utc(self.ran_out_epoch(_epoch_of(end, "end"), float(minutes) * 60.0))

    def next_business_instant(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) if inside business time, else the next opening."""
        return _utc(self.add_epoch(_epoch_of(at, "at"), 0.0))

    def is_business_time(self, at: datetime) -> bool:
        return self.is_business_epoch(_epoch_of(at, "at"))

    # -- epoch API -------------------------------------------------------------------

    def add_epoch(self, start_s: float, seconds: float) -> float:
        """Epoch seconds ``seconds`` business seconds after ``start_s``.

        For seconds > 0 this is the earliest instant by which that much business
        time has elapsed (so a deadline can land exactly on closing time);
        seconds == 0 gives the next business instant.
        """
        lo, _, hi_fast, total, starts, ends, cum_start, cum_end = self._fast
        if lo <= start_s < hi_fast and seconds >= MIN_FAST_SECONDS:
            i = bisect_right(ends, start_s)
            st = starts[i]
            target = cum_start[i] + seconds + (start_s - st if start_s > st else 0.0)
            if target <= total:
                j = bisect_left(cum_end, target, i)
                return ends[j] - (cum_end[j] - target)
        return self._add_slow(start_s, seconds)

    def between_epoch(self, a_s: float, b_s: float) -> float:
        """Business seconds in [a_s, b_s); 0 when b_s <= a_s."""
        lo, hi, _, _, starts, ends, cum_start, _ = self._fast
        if lo <= a_s < b_s <= hi:
            i = bisect_right(ends, a_s)
            st = starts[i]
            ca = cum_start[i] + (a_s - st if a_s > st else 0.0)
            i = bisect_right(ends, b_s)
            st = starts[i]
            return cum_start[i] + (b_s - st if b_s > st else 0.0) - ca
        return self._between_slow(a_s, b_s)

    def ran_out_epoch(self, end_s: float, seconds: float = 0.0) -> float:
        """The earliest instant from which only ``seconds`` business seconds remain until
        ``end_s``: when a budget of business time that ``end_s`` overdrew by ``seconds``
        ran out.

        A budget used up exactly at closing time ran out at that closing time, not at
        ``end_s`` (an evening re-evaluation) nor at the next opening: with nothing
        overdrawn, Thursday 18:30 gives Thursday 17:00. ``end_s`` itself when no business
        time precedes it at all.
        """
        _check_finite(end_s, "end")
        if not (math.isfinite(seconds) and seconds >= 0.0):
            raise ValueError(f"overdrawn business time must be finite and >= 0, got {seconds!r}")
        span = seconds + 7 * 86400.0
        for _ in range(12):  # back ~80 years at most: enough for any calendar with hours
            anchor = end_s - span
            available = self.between_epoch(anchor, end_s)
            if available > seconds:
                # The earliest x >= anchor with between(anchor, x) == available - seconds.
                return self.add_epoch(anchor, available - seconds)
            span *= 2.0
        return end_s

    def is_business_epoch(self, at_s: float) -> bool:
        _check_finite(at_s, "at")
        window = self._cover(at_s)
        return window[4][bisect_right(window[5], at_s)] <= at_s

    # -- slow paths: validation and window maintenance --------------------------

    def _add_slow(self, t: float, s: float) -> float:
        _check_finite(t, "start")
        if not (math.isfinite(s) and s >= 0.0):
            raise ValueError(f"business time to add must be finite and >= 0, got {s!r}")
        while True:
            _, hi, _, total, starts, ends, cum_start, cum_end = self._cover(t)
            i = bisect_right(ends, t)
            if i < len(ends):
                st = starts[i]
                if s == 0.0:
                    return t if t > st else st
                target = cum_start[i] + s + (t - st if t > st else 0.0)
                if target <= total:
                    j = bisect_left(cum_end, target, i)
                    return ends[j] - (cum_end[j] - target)
                s = target - total
            t = hi  # all business time before the window end is used up; carry on

    def _between_slow(self, a: float, b: float) -> float:
        _check_finite(a, "start")
        _check_finite(b, "end")
        result = 0.0
        while a < b:
            _, hi, _, _, starts, ends, cum_start, _ = self._cover(a)
            y = b if b <= hi else hi
            i = bisect_right(ends, a)
            st = starts[i]
            ca = cum_start[i] + (a - st if a > st else 0.0)
            i = bisect_right(ends, y)
            st = starts[i]
            result += cum_start[i] + (y - st if y > st else 0.0) - ca
            a = hi
        return result

    def _local_date(self, t: float) -> date:
        try:
            return datetime.fromtimestamp(t, self._tz).date()
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"instant {t!r} is outside the supported date range") from exc

    def _cover(self, t: float) -> _Window:
        """Return a window with lo <= t < hi, growing or replacing it as needed."""
        window = self._fast
        if window[0] <= t < window[1]:
            return window
        with self._lock:
            while not (self._fast[0] <= t < self._fast[1]):
                self._extend_towards(t)
            return self._fast

    def _extend_towards(self, t: float) -> None:
        day = self._local_date(t)
        if self._days is None:
            self._rebuild_around(day)
            return
        first, stop = self._days
        span = stop - first
        growth = timedelta(days=min(max(span.days, 366), _MAX_GROWTH_DAYS))
        if t >= self._fast[1]:
            new_first, new_stop = first, _clamp(max(day + timedelta(days=1), stop + growth))
            if new_stop <= stop:
                raise ValueError("business time runs past the supported date range (year 9999)")
        else:
            new_first, new_stop = _clamp(min(day, first - growth)), stop
            if new_first >= first:
                raise ValueError("business time runs before the supported date range (year 1)")
        if (new_stop - new_first).days > _MAX_WINDOW_DAYS:
            self._rebuild_around(day)
            return
        runs = self._runs
        if new_first < first:
            runs = join(self._expand(new_first, first), runs)
        if new_stop > stop:
            runs = join(runs, self._expand(stop, new_stop))
        self._install(new_first, new_stop, runs)

    def _rebuild_around(self, day: date) -> None:
        """A fresh ~18-month window: cheap to build, and it grows on demand."""
        first = _clamp(day - timedelta(days=183))
        stop = _clamp(day + timedelta(days=366))
        if stop <= day:
            stop = _LAST_DAY
        self._install(first, stop, self._expand(first, stop))

    def _expand(self, first: date, stop: date) -> tuple[list[int], list[int]]:
        return expand_days(self._tz, self._week, self._holidays, first, stop)

    def _install(self, first: date, stop: date, runs: tuple[list[int], list[int]]) -> None:
        cum_end = [float(c) for c in accumulate(e - s for s, e in zip(*runs, strict=True))]
        lo = float(local_midnight_epoch(first, self._tz))
        hi = float(local_midnight_epoch(stop, self._tz))
        ends = [float(e) for e in runs[1]]
        total = cum_end[-1] if cum_end else 0.0
        fast: _Window = (
            lo,
            hi,
            ends[-1] if ends else -_INF,
            total,
            [float(s) for s in runs[0]] + [_INF],
            ends,
            [0.0, *cum_end],
            cum_end,
        )
        by_epoch = epoch_tables(lo, fast[4], fast[5], fast[6])
        setter = object.__setattr__
        setter(self, "_days", (first, stop))
        setter(self, "_runs", runs)
        setter(self, "_fast", fast)  # one reference swap: readers never see a mix
        # Each closure holds its own consistent snapshot of the window.
        generic_add = MethodType(BusinessCalendar.add_epoch, self)
        generic_between = MethodType(BusinessCalendar.between_epoch, self)
        setter(self, "add_epoch", make_add(lo, by_epoch, cum_tables(ends, cum_end), generic_add))
        setter(self, "between_epoch", make_between(lo, by_epoch, generic_between))
        self.add_epoch.__doc__ = BusinessCalendar.add_epoch.__doc__
        self.between_epoch.__doc__ = BusinessCalendar.between_epoch.__doc__


def _check_finite(value: float, name: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite epoch time, got {value!r}")


class _AlwaysOpenCalendar(BusinessCalendar):
    """24/7 with no holidays: business time is wall time, so skip the machinery."""

    __slots__ = ()

    def add_epoch(self, start_s: float, seconds: float) -> float:
        if not (math.isfinite(seconds) and seconds >= 0.0):
            raise ValueError(f"business time to add must be finite and >= 0, got {seconds!r}")
        _check_finite(start_s, "start")
        return start_s + seconds

    def between_epoch(self, a_s: float, b_s: float) -> float:
        _check_finite(a_s, "start")
        _check_finite(b_s, "end")
        return b_s - a_s if b_s > a_s else 0.0

    def is_business_epoch(self, at_s: float) -> bool:
        _check_finite(at_s, "at")
        return True


@lru_cache(maxsize=256)
def get_calendar(
    timezone: str, week_key: WeekKey, holidays_key: frozenset[date] = frozenset()
) -> BusinessCalendar:
    """Cached factory: equal specs share one instance and its expanded intervals.

    ``week_key`` is the canonical 7-tuple (see ``BusinessCalendar.week_key``).
    """
    if not (isinstance(week_key, tuple) and len(week_key) == 7):
        raise ValueError("week_key must be the 7-tuple from BusinessCalendar.week_key")
    return BusinessCalendar(timezone, dict(enumerate(week_key)), holidays_key)


#: 24/7 in UTC: business minutes are plain wall-clock minutes.
ALWAYS: BusinessCalendar = BusinessCalendar("UTC", {d: [(0, 1440)] for d in range(7)})
