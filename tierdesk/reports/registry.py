"""The metric definitions: each written once, with the handbook line it serves.

Domain apps add their own (surveys add CSAT, refunds the refund rate) from ``ready()``
with :func:`register`, so a report never imports a domain to learn what it can show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tierdesk.reports.scope import Scope

UNITS = ("percent", "duration", "number", "count", "breakdown")


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # percent (0-100), duration (seconds), number, count, breakdown ({key: n})
    source: str  # the handbook line(s) it measures, or "handbook silent"
    compute: Callable[[Scope], Any]
    better: str = "higher"  # or "lower": which way a trend is good news

    def value(self, scope: Scope) -> Any:
        """The figure for ``scope``: from the stored figures when the scope is a page's
        (``scope.stored``), else counted now."""
        if scope.stored:
            from tierdesk.reports.figure_cache import cached_value

            return cached_value(self.name, self.compute, scope)
        return self.compute(scope)


METRICS: dict[str, Metric] = {}


def register(name: str, *, label: str, unit: str, source: str, better: str = "higher"):
    """Decorate the function that computes metric ``name`` for a :class:`Scope`."""
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {UNITS}")

    def wrap(fn: Callable[[Scope], Any]) -> Callable[[Scope], Any]:
        METRICS[name] = Metric(name, label, unit, source, fn, better)
        return fn

    return wrap


def ratio(part: int | None, whole: int | None) -> float | None:
    """A percentage, or None when there is nothing to divide (no tickets is not 0%)."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 2)
