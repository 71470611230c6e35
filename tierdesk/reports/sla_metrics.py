"""Metrics read from the SLA clocks: compliance, breaches and business-time averages.

Each clock keeps the policy and pack version that set it, so a pack change inside the
period is measured against the targets each ticket actually had, not today's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q

from tierdesk.reports.registry import ratio, register
from tierdesk.reports.scope import Scope
from tierdesk.sla.models import SlaTarget

DECIDED = Q(met_at__isnull=False) | Q(breached_at__isnull=False)


def _clocks(scope: Scope, metric: str | None = None):
    rows = SlaTarget.objects.filter(scope.cohort_q("ticket__"))
    return rows.filter(metric=metric) if metric else rows


def sla_facts(scope: Scope) -> dict[str, dict[str, int]]:
    """Per clock metric: clocks decided (met or breached) and those met in time."""

    def run() -> dict[str, dict[str, int]]:
        rows = (_clocks(scope).filter(DECIDED).values("metric")
                .annotate(decided=Count("id"), breached=Count("breached_at")))
        return {r["metric"]: {"decided": r["decided"], "breached": r["breached"]} for r in rows}

    return scope.remember("sla_facts", run)


@register("sla_compliance", label="SLA compliance (first response)", unit="percent",
          source="DataFlow 10.1 'SLA Compliance: 95% first-response adherence'")
def sla_compliance(scope: Scope) -> float | None:
    """First-response clocks met without breach, out of those decided."""
    facts = sla_facts(scope).get("first_response", {"decided": 0, "breached": 0})
    return ratio(facts["decided"] - facts["breached"], facts["decided"])


@register("sla_compliance_by_metric", label="SLA compliance by target", unit="breakdown",
          source="DataFlow 'daily SLA dashboard'; CSU 'timeliness'")
def sla_compliance_by_metric(scope: Scope) -> dict[str, float | None]:
    return {metric: ratio(f["decided"] - f["breached"], f["decided"])
            for metric, f in sorted(sla_facts(scope).items())}


@register("sla_breach_rate", label="Tickets with an SLA breach", unit="percent",
          better="lower",
          source="DataFlow 'Weekly reports to Support Managers (target: <5% SLA breaches)'")
def sla_breach_rate(scope: Scope) -> float | None:
    counts = scope.tickets().aggregate(
        tickets=Count("id", distinct=True),
        breached=Count("id", distinct=True, filter=Q(sla_targets__breached_at__isnull=False)),
    )
    return ratio(counts["breached"], counts["tickets"])


@register("sla_breaches", label="SLA breaches", unit="count", better="lower",
          source="DataFlow 'daily SLA dashboard'")
def sla_breaches(scope: Scope) -> int:
    return _clocks(scope).filter(breached_at__isnull=False).count()


def _business_avg(scope: Scope, metric: str) -> float | None:
    value = (_clocks(scope, metric).filter(met_at__isnull=False)
             .aggregate(v=Avg("elapsed_seconds"))["v"])
    return None if value is None else round(value, 1)


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
    path = {"plan": "ticket__organisation__plan", "priority": "ticket__priority"}[field]
    rows = (_clocks(scope, "first_response").filter(DECIDED).values(path)
            .annotate(decided=Count("id"), breached=Count("breached_at")).order_by(path))
    return {r[path] or "none": ratio(r["decided"] - r["breached"], r["decided"]) for r in rows}


@register("sla_compliance_by_plan", label="First-response compliance by plan",
          unit="breakdown", source="DataFlow section 4 targets per plan")
def sla_compliance_by_plan(scope: Scope) -> dict[str, Any]:
    return compliance_by(scope, "plan")


@register("sla_compliance_by_priority", label="First-response compliance by priority",
          unit="breakdown", source="DataFlow section 4 targets per priority")
def sla_compliance_by_priority(scope: Scope) -> dict[str, Any]:
    return compliance_by(scope, "priority")
