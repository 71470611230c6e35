"""Business-time arithmetic: pure Python, no Django, so it is usable anywhere.

SLA clocks count only business time: local wall-clock hours per weekday in an
IANA timezone, minus whole-day holidays, with DST handled by real elapsed time.
"""

from .calendar import ALWAYS, BusinessCalendar, get_calendar
from .holidays import holidays_for
from .week import WeekKey, normalise_week

__all__ = ["ALWAYS", "BusinessCalendar", "WeekKey", "get_calendar", "holidays_for",
           "normalise_week"]
