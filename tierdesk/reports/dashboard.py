"""The figures a dashboard page shows, in one place, so the page and the job that counts
its figures ahead of it (reports.counting) always count the same set."""

from __future__ import annotations

from typing import Any

from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Scope
from tierdesk.reports.selectors import goals_report, metrics_report

TILES = ["tickets_created", "first_contact_resolution", "first_response_time_avg",
         "first_response_business_avg", "resolution_time_avg", "sla_compliance",
         "sla_breaches", "escalation_rate", "reopen_rate", "repeat_contact_rate"]
BREAKDOWNS = ["sla_compliance_by_priority", "sla_compliance_by_plan", "tickets_by_priority",
              "channel_distribution", "tickets_per_agent"]
DOMAIN_TILES = ["csat_score", "nps", "survey_response_rate", "refund_rate", "handle_time_avg",
                "ticket_deflection", "retention", "kb_accuracy"]


def names() -> list[str]:
    """The tiles and breakdowns, with the domain metrics their apps registered."""
    return TILES + BREAKDOWNS + [n for n in DOMAIN_TILES if n in METRICS]


def dashboard_figures(scope: Scope) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The page's figures and the pack's goals with their trends, for ``scope``.

    A deferred scope raises figure_cache.NotCounted when one was never counted."""
    return metrics_report(scope, names()), goals_report(scope)
