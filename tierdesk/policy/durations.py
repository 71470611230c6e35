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


# Words for durations in messages customers read, per language: (one, many) per unit and
# the word that marks business time.
_UNIT_WORDS = {
    "en": {"h": ("hour", "hours"), "m": ("minute", "minutes"),
           "business": ("business {}", "business {}")},
    "es": {"h": ("hora", "horas"), "m": ("minuto", "minutos"),
           "business": ("{} hábil", "{} hábiles")},
    "fr": {"h": ("heure", "heures"), "m": ("minute", "minutes"),
           "business": ("{} ouvrée", "{} ouvrées")},
    "ar": {"h": ("ساعة", "ساعات"), "m": ("دقيقة", "دقائق"), "business": ("{} عمل", "{} عمل")},
}


def duration_words(minutes: int, *, business: bool = False, language: str = "en") -> str:
    """Return ``240`` minutes as ``4 business hours`` (``4 horas hábiles`` in Spanish).

    Whole hours read as hours (``72 business hours``, never days: a business day is not
    24 hours); anything else as ``1 business hour 30 minutes`` (the first unit says it).
    """
    words = _UNIT_WORDS.get(language, _UNIT_WORDS["en"])
    hours, mins = divmod(max(int(minutes), 0), 60)
    parts: list[str] = []
    for count, unit in ((hours, "h"), (mins, "m")):
        if count:
            many = count != 1
            noun = words[unit][many]
            if business and not parts:
                noun = words["business"][many].format(noun)
            parts.append(f"{count} {noun}")
    return " ".join(parts) or f"0 {words['m'][1]}"


def shift_words(seconds: float) -> str:
    """Return how far a due time moves: ``2 h earlier``, ``1 d 3 h 30 min later``."""
    total = round(abs(seconds) / 60)
    if total == 0:
        return "unchanged"
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n]
    return " ".join(parts) + (" earlier" if seconds < 0 else " later")
