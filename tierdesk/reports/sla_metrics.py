"""Metrics read from the SLA clocks: compliance, breaches and business-time averages.

Each clock keeps the policy and pack version that set it, so a pack change inside the
period is measured against the targets each ticket actually had, not today's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from tierdesk.reports.registry import ratio, register
from tierdesk.reports.scope import Scope
from tierdesk.sla.models import SlaTarget

DECIDED = Q(met_at__isnull=False) | Q(breached_at__isnull=False)


def sla_rows(scope: Scope) -> list[dict[str, Any]]:
    """The cohort's decided clocks counted per (metric, priority, plan) in one statement:
    every SLA figure below sums the rows it needs, and goals narrowed to some priorities
    reuse the same rows."""
    base = scope.without_priority()

    def run() -> list[dict[str, Any]]:
        rows = (SlaTarget.objects.filter(base.cohort_q("ticket__")).filter(DECIDED)
                .values("metric", "ticket__priority", "ticket__organisation__plan")
                .annotate(decided=Count("id"), breached=Count("breached_at"),
                          met=Count("met_at"), elapsed=Sum("elapsed_seconds",
                                                           filter=Q(met_at__isnull=False)))
                .order_by())
        return [{"metric": r["metric"], "priority": r["ticket__priority"] or "",
                 "plan": r["ticket__organisation__plan"] or "", "decided": r["decided"],
                 "breached": r["breached"], "met": r["met"], "elapsed": r["elapsed"] or 0.0}
                for r in rows]

    return scope.remember("sla_rows", run, scope=base)


def _rows(scope: Scope, metric: str | None = None) -> list[dict[str, Any]]:
    chosen = set(scope.filters.priority)
    return [r for r in sla_rows(scope) if (not chosen or r["priority"] in chosen)
            and (metric is None or r["metric"] == metric)]


def _split(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        into = out.setdefault(r[key], {"decided": 0, "breached": 0, "met": 0, "elapsed": 0.0})
        for name in into:
            into[name] += r[name]
    return out


def sla_facts(scope: Scope) -> dict[str, dict[str, float]]:
    """Per clock metric: clocks decided (met or breached), breached, met and their time."""
    return _split(_rows(scope), "metric")


@register("sla_compliance", label="SLA compliance (first response)", unit="percent",
          source="DataFlow 10.1 'SLA Compliance: 95% first-response adherence'")
def sla_compliance(scope: Scope) -> float | None:
    """First-response clocks met without breach, out of those decided."""
    facts = sla_facts(scope).get("first_response", {"decided": 0, "breached": 0})
    return ratio(int(facts["decided"] - facts["breached"]), int(facts["decided"]))


@register("sla_compliance_by_metric", label="SLA compliance by target", unit="breakdown",
          source="DataFlow 'daily SLA dashboard'; CSU 'timeliness'")
def sla_compliance_by_metric(scope: Scope) -> dict[str, float | None]:
    return {metric: ratio(int(f["decided"] - f["breached"]), int(f["decided"]))
            for metric, f in sorted(sla_facts(scope).items())}


@register("sla_breaches", label="SLA breaches", unit="count", better="lower",
          source="DataFlow 'daily SLA dashboard'")
def sla_breaches(scope: Scope) -> int:
    return int(sum(r["breached"] for r in _rows(scope)))


def _business_avg(scope: Scope, metric: str) -> float | None:
    facts = sla_facts(scope).get(metric)
    if not facts or not facts["met"]:
        return None
    return round(facts["elapsed"] / facts["met"], 1)


@register("first_response_business_avg", label="First response time (business hours)",
          unit="duration", better="lower",
          source="DataFlow section 4 SLA targets in business hours")
def first_response_business_avg(scope: Scope) -> float | None:
    return _business_avg(scope, "first_response")


@register("resolution_business_avg", label="Resolution time (business hours)",
          unit="duration", better="lower",
          source="DataFlow section 4 resolution targets in business hours")
def resolution_business_avg(scope: Scope) -> float | None:
    return _business_avg(scope, "resolution")


def compliance_by(scope: Scope, field: str) -> dict[str, Any]:
    """First-response compliance split by a ticket field (plan, priority)."""
    split = _split(_rows(scope, "first_response"), field)
    return {key or "none": ratio(int(f["decided"] - f["breached"]), int(f["decided"]))
            for key, f in sorted(split.items())}


@register("sla_compliance_by_plan", label="First-response compliance by plan",
          unit="breakdown", source="DataFlow section 4 targets per plan")
def sla_compliance_by_plan(scope: Scope) -> dict[str, Any]:
    return compliance_by(scope, "plan")


@register("sla_compliance_by_priority", label="First-response compliance by priority",
          unit="breakdown", source="DataFlow section 4 targets per priority")
def sla_compliance_by_priority(scope: Scope) -> dict[str, Any]:
    return compliance_by(scope, "priority")
