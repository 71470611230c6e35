"""Public holidays from the ``holidays`` package, as plain sets of local dates.

Calendars only need "which whole days are closed"; keeping the third-party
object out of BusinessCalendar keeps calendars hashable and cheap to compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache


def holidays_for(
    country: str, years: Iterable[int], subdiv: str | None = None
) -> frozenset[date]:
    """Public holiday dates for an ISO 3166 country (optionally a subdivision).

    Raises ValueError for an unknown country or subdivision, naming it, because
    a typo here would silently give customers clocks that run on holidays.
    """
    if not isinstance(country, str) or not country.strip():
        raise ValueError(
            f"country must be an ISO 3166-1 alpha-2 code such as 'GB', got {country!r}"
        )
    wanted = tuple(sorted({int(y) for y in years}))
    return _cached(country.strip().upper(), wanted, subdiv)


@lru_cache(maxsize=128)
def _cached(country: str, years: tuple[int, ...], subdiv: str | None) -> frozenset[date]:
    # Imported on the first calendar with holidays, not at start: the package builds its
    # lunisolar tables on import, time a restart spent before answering /healthz.
    import holidays as _holidays_lib

    supported = _holidays_lib.list_supported_countries()
    if country not in supported:
        raise ValueError(
            f"unknown country {country!r} for public holidays; use an ISO 3166-1 alpha-2 "
            "code supported by the 'holidays' package, such as 'GB', 'US' or 'AE'"
        )
    if not years:
        return frozenset()
    try:
        table = _holidays_lib.country_holidays(country, subdiv=subdiv, years=years)
    except NotImplementedError as exc:  # the library's way of saying "unknown subdivision"
        raise ValueError(
            f"unknown subdivision {subdiv!r} for country {country!r}; "
            f"known: {', '.join(supported[country]) or 'none'}"
        ) from exc
    return frozenset(day for day in table if day.year in years)
