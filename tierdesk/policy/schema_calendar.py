"""Calendars in a pack: weekly opening hours, time zone, holidays, or 24/7.

A calendar is written for a support manager::

    customer-business-hours:
      timezone: customer            # or an IANA name such as Asia/Dubai
      week: {mon-fri: "09:00-17:00", sat: ["10:00-12:00", "13:00-15:00"]}
      holidays: {country: customer, dates: [2025-12-24]}
    always: {always: true}          # 24/7, no holidays

Day keys are ``mon``..``sun``, ranges (``mon-fri``, ``sun-thu`` wraps past the weekend)
and comma lists (``sat,sun``). Hours are ``HH:MM-HH:MM`` and may end at ``24:00``; a day
may be ``closed``. Ranges of one weekday must not overlap. ``week_minutes()`` turns this
into the plain arguments of ``tierdesk.calendars.BusinessCalendar``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, model_validator

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CUSTOMER = "customer"  # "use the customer's own time zone / country"
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class Strict(BaseModel):
    """Base for every pack model: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              defer_build=True)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone zoneinfo knows."""
    if name not in _zones():
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/London")
    return name


def check_calendar_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA zone or ``customer``."""
    return name if name == CUSTOMER else check_timezone(name)


TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
CalendarTimeZone = Annotated[str, AfterValidator(check_calendar_timezone)]


def parse_days(key: str) -> list[int]:
    """Return weekday numbers (0 = Monday) for ``mon``, ``mon-fri``, ``sun-thu``, ``sat,sun``."""
    days: list[int] = []
    for item in key.split(","):
        ends = [part.strip().lower() for part in item.split("-")]
        if len(ends) > 2 or any(end not in DAY_NAMES for end in ends):
            raise ValueError(f"unknown day {item.strip()!r}; use mon..sun or a range like mon-fri")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        span = (last - first) % 7  # wraps: sun-thu is sun, mon, tue, wed, thu
        days.extend((first + i) % 7 for i in range(span + 1))
    return days


def _check_day_key(key: str) -> str:
    parse_days(key)
    return key


def parse_hours(value: Any) -> tuple[tuple[int, int], ...]:
    """Return ``(start_minute, end_minute)`` pairs for ``"09:00-17:00"``, a list, or ``closed``."""
    if value == "closed":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError('hours must be "HH:MM-HH:MM", a list of them, or closed')
    ranges = []
    for item in items:
        match = _RANGE.match(item.replace(" ", ""))
        if not match:
            raise ValueError(f'invalid time range {item!r}; write it like "09:00-17:00"')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= 24 * 60 or end > 24 * 60:
            raise ValueError(f"invalid time in {item!r}; times run 00:00..24:00")
        if end <= start:
            raise ValueError(f"time range {item!r} ends before it starts")
        ranges.append((start, end))
    return tuple(ranges)


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _expand(week: dict[str, tuple[tuple[int, int], ...]]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for key, ranges in week.items():
        for day in parse_days(key):
            out[day].extend(ranges)
    return {day: sorted(ranges) for day, ranges in out.items()}


def _check_overlaps(
    week: dict[str, tuple[tuple[int, int], ...]],
) -> dict[str, tuple[tuple[int, int], ...]]:
    problems = []
    for day, ranges in _expand(week).items():
        for (s1, e1), (s2, e2) in zip(ranges, ranges[1:], strict=False):
            if s2 < e1:
                problems.append(
                    f"{DAY_NAMES[day]} {_fmt(s1)}-{_fmt(e1)} overlaps {_fmt(s2)}-{_fmt(e2)}"
                )
    if problems:
        raise ValueError("overlapping hours: " + "; ".join(problems))
    return week


DayKey = Annotated[str, AfterValidator(_check_day_key)]
Hours = Annotated[tuple[tuple[int, int], ...], PlainValidator(parse_hours)]
Week = Annotated[dict[DayKey, Hours], AfterValidator(_check_overlaps)]


@lru_cache(maxsize=1)
def _holiday_countries() -> dict[str, list[str]] | None:
    try:
        import holidays  # lazy: only a check that names a country pays for the import
    except ImportError:  # pragma: no cover - holidays is a declared dependency
        return None
    return {code: list(subdivs) for code, subdivs in holidays.list_supported_countries().items()}


class HolidaySpec(Strict):
    """Public holidays closed on this calendar: a country's (``customer`` = the
    customer's own country) plus extra dates the team closes on."""

    country: str | None = None
    subdiv: str | None = None
    dates: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_country(self) -> HolidaySpec:
        if self.country is None or self.country == CUSTOMER:
            if self.subdiv:
                raise ValueError("subdiv needs a fixed country")
            return self
        known = _holiday_countries()
        if known is None:  # without the package, accept any ISO 3166 alpha-2 code
            if not re.fullmatch(r"[A-Z]{2}", self.country):
                raise ValueError(f"unknown holiday country {self.country!r}")
            return self
        if self.country not in known:
            raise ValueError(
                f"unknown holiday country {self.country!r}; use an ISO code such as GB or AE"
            )
        if self.subdiv and self.subdiv not in known[self.country]:
            raise ValueError(f"unknown subdivision {self.subdiv!r} of {self.country}")
        return self


class CalendarSpec(Strict):
    """When an SLA clock runs: weekly hours in a time zone minus holidays, or ``always``.

    ``timezone`` left out means the pack's time zone; ``customer`` means the customer's
    own zone (falling back to the pack's when the customer has none).
    """

    timezone: CalendarTimeZone | None = None
    week: Week | None = None
    always: bool = False
    holidays: HolidaySpec | None = None

    @model_validator(mode="after")
    def _week_or_always(self) -> CalendarSpec:
        if self.always and (self.week is not None or self.holidays is not None):
            raise ValueError("a 24/7 calendar (always: true) has no week or holidays")
        if not self.always and not self.week:
            raise ValueError("give opening hours in week, or always: true for 24/7")
        return self

    def week_minutes(self) -> dict[int, list[tuple[int, int]]]:
        """Return ``{weekday (0 = Mon): [(start_minute, end_minute), ...]}`` for all 7 days."""
        if self.always:
            return {day: [(0, 24 * 60)] for day in range(7)}
        return _expand(self.week or {})

    def resolve(
        self,
        *,
        default_timezone: str,
        customer_timezone: str | None = None,
        customer_country: str | None = None,
    ) -> ResolvedCalendar:
        """Return the plain arguments a ``BusinessCalendar`` needs for one customer."""
        zone = self.timezone or default_timezone
        if zone == CUSTOMER:
            zone = customer_timezone or default_timezone
        country = subdiv = None
        extra: frozenset[date] = frozenset()
        if self.holidays is not None:
            country = self.holidays.country
            subdiv = self.holidays.subdiv
            if country == CUSTOMER:
                country = customer_country
            extra = frozenset(self.holidays.dates)
        return ResolvedCalendar(
            timezone=zone,
            week=self.week_minutes(),
            holiday_country=country,
            holiday_subdiv=subdiv,
            extra_holidays=extra,
        )


class ResolvedCalendar(Strict):
    """A calendar with ``customer`` filled in: feed to ``BusinessCalendar`` as
    ``BusinessCalendar(timezone, week, holidays_for(holiday_country, years) | extra)``."""

    timezone: str
    week: dict[int, list[tuple[int, int]]]
    holiday_country: str | None
    holiday_subdiv: str | None
    extra_holidays: frozenset[date]
