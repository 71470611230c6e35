"""Scheduled reports a pack asks for: what, how often, and to whom (pure: no Django)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .schema_calendar import Strict
from .suggest import unknown_message

# Every figure the reports can compute; a name outside this list is a typo in the pack.
# (tests/reports checks that the reports' registry and this list agree.)
REPORT_METRICS = (
    "tickets_created", "first_contact_resolution", "escalation_rate", "escalation_accuracy",
    "reopen_rate", "repeat_contact_rate", "first_response_time_avg", "resolution_time_avg",
    "first_response_business_avg", "resolution_business_avg", "tickets_per_agent",
    "channel_distribution", "tickets_by_priority", "sla_compliance", "sla_compliance_by_metric",
    "sla_breach_rate", "sla_breaches", "sla_compliance_by_plan", "sla_compliance_by_priority",
    "csat_score", "csat_percent", "nps", "survey_response_rate", "negative_feedback_resolved",
    "refund_rate", "cancellation_rate", "retention", "churn_risk_organisations",
    "ticket_deflection", "kb_articles_per_month", "kb_article_views", "kb_accuracy",
    "handle_time_avg", "risk_identification_rate",
)  # fmt: skip


class ScheduledReport(Strict):
    """``{name: weekly-trends, every: week, metrics: [...], to: [support_manager]}``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    every: Literal["day", "week", "month", "quarter"]
    metrics: list[str] = Field(min_length=1)
    to: list[str] = Field(min_length=1)  # role codes
    goals: bool = True  # include the pack's KPI goals beside the figures

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in REPORT_METRICS:
                raise ValueError(unknown_message("metric", name, REPORT_METRICS))
        return names
