"""The dashboards in the workspace: the team's (managers), an agent's own, leadership's.

Figures come from the same selectors as the metrics API, so a number on a page and in a
BI tool never disagree. On a large desk a page shows stored figures only and leaves the
counting to a job (reports.counting): it answers at once, saying how old its figures are,
or that they are being counted.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from tierdesk.common.errors import ServiceError
from tierdesk.customers.models import Organisation
from tierdesk.people.models import Group
from tierdesk.reports import charts, counting, figure_cache
from tierdesk.reports.dashboard import BREAKDOWNS, dashboard_figures
from tierdesk.reports.period import KINDS
from tierdesk.reports.scope import FILTER_NAMES
from tierdesk.reports.selectors import period_for, scope_for
from tierdesk.tickets.models import Channel
from tierdesk.web.access import agent_page, manager_page


def _rtl() -> bool:
    return translation.get_language_bidi()


def _dashboard_context(request: HttpRequest, kind_default: str) -> dict[str, Any]:
    kind = request.GET.get("kind") or kind_default
    if kind not in KINDS:
        kind = kind_default
    filters = {name: request.GET.get(name) for name in FILTER_NAMES
               if request.GET.get(name) and name != "agent"}
    period = period_for(request.GET.get("period"), kind)
    scope = scope_for(request.viewer, period, filters)
    scope.deferred = not counting.counts_inline()
    query = request.GET.copy()
    query.pop("period", None)
    context = {
        "scope": scope, "period": period, "kind": kind, "kinds": KINDS,
        "previous": period.previous().label, "next": period.next().label,
        "filters": scope.filters.as_dict(), "chosen": filters, "query": query.urlencode(),
        "groups": Group.objects.order_by("name").values_list("code", "name"),
        "organisations": Organisation.objects.order_by("name").values_list("pk", "name")[:500],
        "plans": Organisation.objects.exclude(plan="").order_by("plan")
        .values_list("plan", flat=True).distinct(),
        "channels": Channel.choices,
        "own": not request.viewer.is_manager,
    }
    try:
        figures, goals = dashboard_figures(scope)
    except figure_cache.NotCounted:
        counting.ask(scope)
        return {**context, "counting": True, "tiles": [], "goals": [], "bars": []}
    if scope.deferred:
        context["as_of"] = figure_cache.stale_since(scope)
        if context["as_of"] is not None:
            counting.ask(scope)
        else:
            figure_cache.note_viewed(scope)
    rtl = _rtl()
    for goal in goals:
        goal["chart"] = charts.trend(goal["trend"], goal["unit"], goal["label"],
                                     goal["target"], rtl) if goal["computed"] else ""
    bars = [{"name": n, "label": figures[n]["label"],
             "chart": charts.bars(figures[n]["value"] or {}, _bar_unit(n), figures[n]["label"],
                                  rtl)} for n in BREAKDOWNS if n in figures]
    tiles = [{"name": n, **figures[n]} for n in figures if n not in BREAKDOWNS]
    return {**context, "tiles": tiles, "goals": goals, "bars": bars}


def _bar_unit(name: str) -> str:
    return "percent" if name.startswith("sla_compliance") else "count"


def _render(request: HttpRequest, template: str, kind: str) -> HttpResponse:
    try:
        context = _dashboard_context(request, kind)
    except ServiceError as exc:
        return render(request, "reports/bad_request.html", {"message": exc.message}, status=400)
    return render(request, template, context)


@require_GET
@agent_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """A manager's team dashboard, or an agent's own figures (the same page, scoped)."""
    return _render(request, "reports/dashboard.html", "month")


@require_GET
@manager_page
def leadership(request: HttpRequest) -> HttpResponse:
    """The quarter's goals against the handbook's targets, with four quarters of trend."""
    return _render(request, "reports/leadership.html", "quarter")
