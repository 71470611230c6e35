"""Durations as a support handbook writes them: ``15m``, ``2h``, ``1d``, ``1h30m``, ``90s``.

Units are ``d`` (day), ``h`` (hour), ``m`` (minute) and ``s`` (second), largest first,
each at most once. **``1d`` is always 24 hours**, never "one business day": how much
wall-clock time a target takes is decided by the calendar it is measured on (a 24h
target on a 09:00-17:00 calendar spans three working days). A handbook's "resolution:
1 day" on business hours is written as ``8h`` with a comment in the pack. A duration is
always positive.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")

DURATION_HINT = "use a number and a unit: 15m, 2h, 1d (= 24h), 1h30m, 90s"


def parse_duration(text: object) -> timedelta:
    """Return the ``timedelta`` for ``text``; raise ``ValueError`` with a fix-it hint."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(f"a duration needs a unit, got {text!r}; {DURATION_HINT}")
    compact = text.replace(" ", "")
    match = _DURATION.match(compact)
    if not compact or not match:
        raise ValueError(f"invalid duration {text!r}; {DURATION_HINT}")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if value <= timedelta(0):
        raise ValueError(f"a duration must be positive, got {text!r}")
    return value


def parse_percent(text: object) -> float:
    """Return ``25.0`` for ``"25%"``; raise ``ValueError`` otherwise."""
    match = _PERCENT.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"invalid percentage {text!r}; write it like 25%")
    return float(match.group(1))


def to_minutes(value: timedelta) -> int:
    """Return whole minutes in ``value`` (SLA maths works in minutes)."""
    return int(value.total_seconds()) // 60


def format_duration(value: timedelta) -> str:
    """Return ``value`` in pack notation (``1h30m``), the inverse of ``parse_duration``."""
    total = int(value.total_seconds())
    if total <= 0:
        return "0s"
    # Hours are not folded into days on output: "72h" reads better in an SLA than "3d".
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{n}{unit}" for n, unit in parts if n)


def format_minutes(minutes: int) -> str:
    """Return a minute count in pack notation (``240`` -> ``4h``)."""
    return format_duration(timedelta(minutes=minutes))
