"""Read-only metrics for BI tools: the same figures as the dashboards, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from tierdesk.people.access import viewer_for
from tierdesk.reports import exports
from tierdesk.reports.registry import METRICS
from tierdesk.reports.selectors import goals_report, metrics_report, period_for, scope_for

router = Router(tags=["reports"])


class ReportQuery(Schema):
    period: str | None = None  # 2026-11-30, 2026-W48, 2026-11, 2026-Q4; default this month
    tz: str | None = None  # default: the pack's time zone
    metrics: str | None = None  # comma-separated names; default all
    group: str | None = None
    plan: str | None = None
    channel: str | None = None
    priority: str | None = None
    organisation: str | None = None
    language: str | None = None
    agent: str | None = None


class MetricOut(Schema):
    label: str
    unit: str
    source: str
    better: str
    value: Any = None


class MetricsReportOut(Schema):
    period: str
    start: str
    end: str
    filters: dict[str, list]
    metrics: dict[str, MetricOut]


class GoalOut(Schema):
    metric: str
    label: str
    unit: str
    goal: str
    target: float
    actual: Any = None
    met: bool | None = None
    computed: bool
    where: dict[str, Any]
    trend: list[dict[str, Any]]


class GoalsOut(Schema):
    period: str
    goals: list[GoalOut]


class DefinitionOut(Schema):
    name: str
    label: str
    unit: str
    source: str
    better: str


def _scope(request: HttpRequest, q: ReportQuery):
    filters = q.dict(exclude={"period", "tz", "metrics"}, exclude_none=True)
    return scope_for(viewer_for(request.auth), period_for(q.period, tz=q.tz), filters)


def _names(q: ReportQuery) -> list[str] | None:
    return [n.strip() for n in q.metrics.split(",") if n.strip()] if q.metrics else None


@router.get("/reports/metrics", response=MetricsReportOut)
def metrics(request: HttpRequest, q: Query[ReportQuery]):
    """Every metric (or those named) for the period: managers see all tickets, an agent
    their own."""
    scope = _scope(request, q)
    return {"period": scope.period.label, "start": scope.period.start.isoformat(),
            "end": scope.period.end.isoformat(), "filters": scope.filters.as_dict(),
            "metrics": metrics_report(scope, _names(q))}


@router.get("/reports/goals", response=GoalsOut)
def goals(request: HttpRequest, q: Query[ReportQuery]):
    """The pack's KPI goals beside the figures, with the previous periods' trend."""
    scope = _scope(request, q)
    return {"period": scope.period.label, "goals": goals_report(scope)}


@router.get("/reports/definitions", response=list[DefinitionOut])
def definitions(request: HttpRequest):
    """What each metric means and the handbook line it serves."""
    scope_check = viewer_for(request.auth)
    if not scope_check.is_agent:
        from tierdesk.common.errors import Forbidden

        raise Forbidden("reports are for support staff")
    return [{"name": m.name, "label": m.label, "unit": m.unit, "source": m.source,
             "better": m.better} for m in sorted(METRICS.values(), key=lambda m: m.name)]


@router.get("/reports/metrics.csv", response={200: None},
            openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}})
def metrics_csv(request: HttpRequest, q: Query[ReportQuery]) -> HttpResponse:
    scope = _scope(request, q)
    return exports.csv_response(exports.metrics_rows(scope, metrics_report(scope, _names(q))),
                                f"tierdesk-metrics-{scope.period.label}.csv")


@router.get("/reports/tickets.csv", response={200: None},
            openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}})
def tickets_csv(request: HttpRequest, q: Query[ReportQuery]) -> HttpResponse:
    """The period's tickets the caller may see, one row each, streamed."""
    viewer = viewer_for(request.auth)
    scope = _scope(request, q)
    return exports.tickets_response(viewer, scope)
