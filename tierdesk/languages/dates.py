"""Dates said to a customer, in the customer's language.

Python's ``strftime("%A")`` names the weekday in the process's C locale, which is English
on every server whatever the customer reads; Babel has each language's names (CLDR).
"""

from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from django.utils import translation


def _locale() -> Locale:
    try:
        return Locale.parse(translation.to_locale(translation.get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def weekday_and_time(value: datetime) -> str:
    """Return ``value`` (an aware datetime, shown in its own zone) as "Sunday 2026-12-06
    09:00 (+04)", the weekday in the active language: "domingo", "dimanche", "الأحد".
    The date stays ISO (the same digits in every language) and the zone as the calendar
    names it."""
    when = format_datetime(value, "EEEE yyyy-MM-dd HH:mm", tzinfo=value.tzinfo,
                           locale=_locale())
    return f"{when} ({value.tzname()})"
