"""The pack's KPI goals beside the figures: each goal green or red, with its trend.

A goal's ``where`` (``{priority: [P2, P3]}``) narrows the report's filters for that goal
alone, so "FCR 70% for P2-P3" is measured on P2-P3 tickets however the page is filtered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tierdesk.policy.durations import parse_duration, parse_percent
from tierdesk.policy.schema import METRIC_UNITS
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Filters, Scope

TREND_PERIODS = 4


@dataclass
class GoalResult:
    metric: str
    label: str
    unit: str
    goal: str  # "below" or "at_least"
    target: float
    actual: Any
    met: bool | None  # None: nothing to measure yet
    trend: list[dict[str, Any]]
    where: dict[str, Any]
    computed: bool  # False: the metric is declared but nothing measures it yet

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def goal_value(metric_unit: str, raw: Any) -> float:
    """A goal in the metric's own unit: percent 0-100, a duration in seconds, a number."""
    if metric_unit == "percent":
        return parse_percent(raw) if isinstance(raw, str) else float(raw)
    if metric_unit == "duration":
        return parse_duration(raw).total_seconds()
    return float(raw)


def _where_filters(kpi: Any) -> dict[str, Any]:
    where = getattr(kpi, "where", None)
    if where is None:
        return {}
    out: dict[str, Any] = {}
    for name in ("priority", "plan", "channel", "language"):
        cond = getattr(where, name, None)
        if cond is not None and cond.in_:
            out[name] = [str(v) for v in cond.in_]
    return out


def _met(goal: str, target: float, actual: Any) -> bool | None:
    if actual is None:
        return None
    return actual < target if goal == "below" else actual >= target


def kpi_results(scope: Scope, kpis: list[Any]) -> list[GoalResult]:
    """Every goal of the pack measured for ``scope``, with the previous periods' values."""
    results = []
    scopes: dict[tuple, Scope] = {}  # goals sharing a period and filters share its queries
    for kpi in kpis:
        goal = "below" if kpi.below is not None else "at_least"
        metric = METRICS.get(kpi.metric)
        unit = metric.unit if metric else METRIC_UNITS.get(kpi.metric, "number")
        target = goal_value(unit, kpi.below if goal == "below" else kpi.at_least)
        where = _where_filters(kpi)
        trend = []
        actual = None
        if metric is not None:
            for period in scope.period.trail(TREND_PERIODS):
                filters = scope.filters.narrowed(**where)
                key = (period.label, filters)
                if key not in scopes:
                    scopes[key] = scope if period == scope.period and filters == scope.filters \
                        else scope.sibling(period, filters)
                sub = scopes[key]
                value = metric.value(sub)
                trend.append({"period": period.label, "value": value})
            actual = trend[-1]["value"]
        results.append(GoalResult(
            metric=kpi.metric, label=kpi.label or (metric.label if metric else kpi.metric),
            unit=unit, goal=goal, target=target, actual=actual,
            met=_met(goal, target, actual), trend=trend, where=where,
            computed=metric is not None,
        ))
    return results


def report(scope: Scope, names: list[str] | None = None) -> dict[str, Any]:
    """The named metrics (default: all) for ``scope``, in one dict."""
    chosen = names or sorted(METRICS)
    unknown = [n for n in chosen if n not in METRICS]
    if unknown:
        raise KeyError(f"unknown metric {unknown[0]!r}; known: {', '.join(sorted(METRICS))}")
    return {n: METRICS[n].value(scope) for n in chosen}


__all__ = ["Filters", "GoalResult", "kpi_results", "report", "goal_value"]
