"""Who may see which figures, and the report a page or endpoint shows.

Managers see every ticket's figures; an agent sees their own (the ``agent`` filter is
pinned to them, whatever they ask for); customers see none.
"""

from __future__ import annotations

from typing import Any

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.reports import figure_cache
from tierdesk.reports.period import Period, PeriodError, parse_period, period_containing
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Filters, Scope
from tierdesk.reports.targets import kpi_results, report


def reporting_zone(tz: str | None = None) -> str:
    """The zone periods are cut in: the one asked for, else the pack's own."""
    if tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ServiceError(f"unknown time zone {tz!r}", field="tz") from exc
        return tz
    pack = active_pack()
    return getattr(pack, "timezone", None) or "UTC"


def period_for(label: str | None, kind: str = "month", tz: str | None = None) -> Period:
    zone = reporting_zone(tz)
    if not label:
        return period_containing(kind, clock.now(), zone)
    try:
        return parse_period(label, zone)
    except PeriodError as exc:
        raise ServiceError(str(exc), field="period") from exc


def scope_for(viewer: Viewer, period: Period, filters: dict[str, Any]) -> Scope:
    """The scope ``viewer`` may see: an agent's own tickets unless they manage."""
    if not viewer.is_agent:
        raise Forbidden("reports are for support staff")
    try:
        chosen = Filters.of(**filters)
    except ValueError as exc:
        raise ServiceError(str(exc), field=str(exc).split()[0]) from exc
    if not viewer.is_manager:
        chosen = Filters(**{**chosen.__dict__, "agent": (viewer.agent.pk,)})
    return Scope(period, chosen, stored=True)


def metrics_report(scope: Scope, names: list[str] | None = None) -> dict[str, Any]:
    try:
        values = report(scope, names)
    except KeyError as exc:
        raise ServiceError(exc.args[0], field="metrics") from exc
    figure_cache.save(scope)
    return {
        name: {"label": METRICS[name].label, "unit": METRICS[name].unit,
               "source": METRICS[name].source, "better": METRICS[name].better, "value": v}
        for name, v in values.items()
    }


def goals_report(scope: Scope) -> list[dict[str, Any]]:
    pack = active_pack()
    goals = [g.as_dict() for g in kpi_results(scope, list(getattr(pack, "kpis", None) or []))]
    figure_cache.save(scope)
    return goals
