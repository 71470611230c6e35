"""Build the business calendar a ticket's SLA runs on, from the spec its events record."""

from contextlib import suppress
from datetime import date
from functools import lru_cache
from typing import Any

from tierdesk import clock
from tierdesk.calendars import ALWAYS, BusinessCalendar, holidays_for

# Public holidays are loaded for a window around today; the calendar has no holidays
# outside it, which only matters for clocks running for years.
HOLIDAY_YEARS_BACK = 3
HOLIDAY_YEARS_AHEAD = 4


def calendar_spec(pack: Any, name: str, *, timezone: str | None, country: str | None) -> dict:
    """Return the JSON-able spec of pack calendar ``name`` for one customer."""
    spec = pack.calendars[name]
    if getattr(spec, "always", False):
        return {"name": name, "always": True}
    resolved = spec.resolve(default_timezone=pack.timezone, customer_timezone=timezone or None,
                            customer_country=country or None)
    return {
        "name": name,
        "always": False,
        "timezone": resolved.timezone,
        "week": {str(day): [list(r) for r in ranges] for day, ranges in resolved.week.items()},
        "holiday_country": resolved.holiday_country,
        "holiday_subdiv": resolved.holiday_subdiv,
        "extra_holidays": sorted(d.isoformat() for d in resolved.extra_holidays),
    }


def calendar_for_spec(spec: dict) -> BusinessCalendar:
    """Return the (cached) calendar for a spec recorded in a ``sla_targets_set`` event."""
    if spec.get("always"):
        return ALWAYS
    week = tuple(sorted((int(day), tuple(tuple(r) for r in ranges))
                        for day, ranges in spec["week"].items()))
    return _build(spec["timezone"], week, spec.get("holiday_country"),
                  spec.get("holiday_subdiv"), tuple(spec.get("extra_holidays") or ()),
                  clock.now().year)


@lru_cache(maxsize=512)
def _build(timezone: str, week: tuple, country: str | None, subdiv: str | None,
           extra: tuple[str, ...], year: int) -> BusinessCalendar:
    holidays: set[date] = {date.fromisoformat(d) for d in extra}
    if country:
        years = range(year - HOLIDAY_YEARS_BACK, year + HOLIDAY_YEARS_AHEAD + 1)
        # A country the holidays package does not know: business days only.
        with suppress(ValueError):
            holidays |= holidays_for(country, years, subdiv)
    return BusinessCalendar(timezone=timezone, week={d: list(r) for d, r in week},
                            holidays=frozenset(holidays))
