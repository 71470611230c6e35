"""Times as a handbook reader writes them: "Sat 2026-11-28 10:00 Europe/London".

Pure (no Django): the scenario loader and the failure messages share it, so a time is
printed back in the form it was written in.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME = re.compile(r"^\s*(?:(?P<day>[A-Za-z]{3})\s+)?(?P<date>\d{4}-\d{2}-\d{2})"
                   r"[ T](?P<time>\d{1,2}:\d{2})(?:\s+(?P<zone>\S+))?\s*$")


class BadTime(ValueError):
    """A time a scenario cannot mean; the message says how to write it."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadTime(f"unknown time zone {name!r}; use an IANA name such as "
                      f"Europe/London, America/New_York, UTC") from None


def parse_time(text: str, default_zone: str) -> tuple[datetime, str]:
    """Return (aware instant, zone name it was written in).

    The zone defaults to the customer's; a weekday, when given, must match the date (a
    scenario that says "Sat" about a Sunday is a mistake worth stopping on).
    """
    m = _TIME.match(str(text))
    if m is None:
        raise BadTime(f"{text!r} is not a time; write it like 'Sat 2026-11-28 10:00 "
                      f"Europe/London' (weekday and zone optional)")
    zone_name = m["zone"] or default_zone
    try:
        naive = datetime.fromisoformat(f"{m['date']} {int(m['time'][:-3]):02d}{m['time'][-3:]}")
    except ValueError as exc:
        raise BadTime(f"{text!r}: {exc}") from None
    at = naive.replace(tzinfo=zone(zone_name))
    if m["day"]:
        day = m["day"].capitalize()
        if day not in DAYS:
            raise BadTime(f"{text!r}: unknown weekday {m['day']!r}; use {', '.join(DAYS)}")
        actual = DAYS[at.weekday()]
        if day != actual:
            raise BadTime(f"{text!r}: {m['date']} is a {actual}, not a {day}")
    return at, zone_name


def show(at: datetime | None, zone_name: str) -> str:
    """``Tue 2026-12-01 13:00 GMT``: the instant in ``zone_name``, with its abbreviation."""
    if at is None:
        return "none"
    local = at.astimezone(zone(zone_name))
    return f"{DAYS[local.weekday()]} {local:%Y-%m-%d %H:%M} {local.tzname()}"
