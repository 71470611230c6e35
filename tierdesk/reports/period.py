"""Report periods as people name them: a day, an ISO week, a month or a quarter.

Bounds are half-open ``[start, end)`` instants in the reporting time zone, so a period's
tickets are exactly those created from its first moment up to, not including, the next
period's first moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

KINDS = ("day", "week", "month", "quarter")


class PeriodError(ValueError):
    """A period label that names no period."""


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: date
    tz: tzinfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.next().first_day, datetime.min.time(), self.tz)

    @property
    def label(self) -> str:
        d = self.first_day
        if self.kind == "day":
            return d.isoformat()
        if self.kind == "week":
            year, week, _ = d.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{d.year}-{d.month:02d}"
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"

    def next(self) -> Period:
        return self._shift(1)

    def previous(self, n: int = 1) -> Period:
        return self._shift(-n)

    def _shift(self, n: int) -> Period:
        d = self.first_day
        if self.kind == "day":
            return Period("day", d + timedelta(days=n), self.tz)
        if self.kind == "week":
            return Period("week", d + timedelta(weeks=n), self.tz)
        months = 1 if self.kind == "month" else 3
        index = d.year * 12 + d.month - 1 + n * months
        return Period(self.kind, date(index // 12, index % 12 + 1, 1), self.tz)

    def trail(self, n: int) -> list[Period]:
        """This period and the ``n - 1`` before it, oldest first (for trends)."""
        return [self.previous(i) for i in range(n - 1, -1, -1)]


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(label: str, tz: str | tzinfo = "UTC") -> Period:
    """``2026-11-30`` (day), ``2026-W48`` (ISO week), ``2026-11`` (month), ``2026-Q4``."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    text = label.strip()
    try:
        if m := _WEEK.match(text):
            return Period("week", date.fromisocalendar(int(m[1]), int(m[2]), 1), zone)
        if m := _QUARTER.match(text):
            return Period("quarter", date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1), zone)
        if m := _MONTH.match(text):
            return Period("month", date(int(m[1]), int(m[2]), 1), zone)
        return Period("day", date.fromisoformat(text), zone)
    except ValueError as exc:
        raise PeriodError(
            f"{label!r} is not a period: write a day (2026-11-30), an ISO week (2026-W48), "
            "a month (2026-11) or a quarter (2026-Q4)"
        ) from exc


def period_containing(kind: str, at: datetime, tz: str | tzinfo = "UTC") -> Period:
    """The ``kind`` period that holds the instant ``at``."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    d = at.astimezone(zone).date()
    if kind == "day":
        return Period("day", d, zone)
    if kind == "week":
        return Period("week", d - timedelta(days=d.weekday()), zone)
    if kind == "month":
        return Period("month", d.replace(day=1), zone)
    if kind == "quarter":
        return Period("quarter", date(d.year, (d.month - 1) // 3 * 3 + 1, 1), zone)
    raise PeriodError(f"{kind!r} is not a period kind: one of {', '.join(KINDS)}")
