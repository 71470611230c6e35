"""The policy pack: a team's support handbook as one validated document.

``Pack`` is the whole file. Each section is a small strict model (unknown fields are
errors); references between sections (a policy naming a calendar, a rule naming a
priority) are checked afterwards by ``schema_checks`` so that all of them are reported.
"""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .durations import parse_duration, parse_percent
from .schema_calendar import CalendarSpec, Strict, TimeZoneName
from .schema_knowledge import Knowledge
from .schema_org import Organisation
from .schema_quality import Quality
from .schema_reports import ScheduledReport
from .schema_risk import RiskRegister
from .schema_rules import (
    Classification,
    Duration,
    Rule,
    SlaConditions,
    SlaPolicy,
    StrList,
)
from .schema_surveys import Nps

# Roles the platform's permissions know. A pack may add its own roles ``based_on`` one.
PLATFORM_ROLES = (
    "agent", "specialist", "engineer", "support_manager", "finance_director",
    "qa_lead", "kb_specialist", "director", "admin",
)  # fmt: skip
SLUG = r"^[a-z0-9][a-z0-9_-]*$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"


def _code_object(value: Any) -> Any:
    """Let a list item be written as just its code: ``agent`` for ``{code: agent}``."""
    return {"code": value} if isinstance(value, str) else value


class Role(Strict):
    """A role people hold; ``based_on`` gives a pack-specific role a platform role's rights."""

    code: str = Field(pattern=SLUG)
    name: str | None = None
    based_on: str | None = None


class Priority(Strict):
    code: str = Field(pattern=CODE)
    name: str
    description: str | None = None


class Tier(Strict):
    """A support level; tickets escalate along ``escalates_to``."""

    code: str = Field(pattern=CODE)
    name: str
    role: str | None = None
    focus: list[str] = Field(default_factory=list)
    escalates_to: str | None = None


class Unit(Strict):
    """Another business unit support works with, and who escalates to whom there."""

    code: str = Field(pattern=SLUG)
    name: str
    interfaces: list[str] = Field(default_factory=list)
    joint_activities: list[str] = Field(default_factory=list)
    escalate_from: str | None = None  # a role in this pack
    escalate_to: str | None = None  # the unit's contact, as the handbook names it
    via: str | None = None  # how: "Slack #incident-channel", "Jira"


class ErrorCode(Strict):
    title: str
    priority: str
    category: str | None = None
    article: str | None = None


class Channel(Strict):
    """A way customers reach support, and who may use it for what."""

    description: str | None = None
    address: str | None = None
    plans: StrList | None = None  # left out = every plan
    priorities: StrList | None = None  # left out = every priority
    tiers: StrList | None = None  # who answers it
    vip_only: bool = False
    automated: bool = False
    hours: str | None = None  # a calendar; left out = whenever the SLA calendar runs
    on_call: str | None = None  # an on-call group that answers it out of hours


class Criterion(Strict):
    code: str = Field(pattern=SLUG)
    label: str


class EscalationPath(Strict):
    from_: str = Field(alias="from")
    to: str
    when_any: StrList = Field(default_factory=list)  # criteria codes
    handoff_requires: StrList | None = None  # left out = escalation.handoff_requires


class KnowledgeRequirement(Strict):
    """Which resolved tickets must leave a KB article (or a waiver) before they close: those
    escalated for one of ``criteria`` or carrying one of ``tags``."""

    criteria: StrList = Field(default_factory=list)
    tags: StrList = Field(default_factory=list)


class Resolution(Strict):
    communicated_by: str
    closed_by: str
    knowledge_base: KnowledgeRequirement | None = None


class Escalation(Strict):
    """Escalation criteria and the handoff notes an escalation must carry."""

    handoff_fields: dict[str, str] = Field(default_factory=dict)  # code -> label
    handoff_requires: StrList = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    paths: list[EscalationPath] = Field(default_factory=list)
    resolution: Resolution | None = None


class Rotation(Strict):
    group: str = Field(pattern=SLUG)
    name: str | None = None
    timezone: TimeZoneName
    shift: Duration
    tier: str | None = None
    members: list[str] = Field(default_factory=list)


class OnCall(Strict):
    rotations: list[Rotation] = Field(default_factory=list)


class RefundLimit(Strict):
    """What a role may approve alone; left-out bounds are unlimited."""

    role: str
    kinds: list[Literal["refund", "credit"]] = Field(default_factory=lambda: ["refund", "credit"])
    max_amount: float | None = Field(None, gt=0)
    max_days: int | None = Field(None, gt=0)  # days since the charge
    plans: StrList | None = None
    contract_disputes: bool = False  # may decide a request disputing the contract


class CancellationRule(Strict):
    role: str
    plans: StrList | None = None
    notice: Duration | None = None


class Refunds(Strict):
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    limits: list[RefundLimit] = Field(default_factory=list)
    cancellations: list[CancellationRule] = Field(default_factory=list)


class Survey(Strict):
    send_after: Duration  # after the ticket closes
    scale: int = Field(ge=2, le=10)
    low_score_below: int | None = Field(None, ge=1)
    follow_up_within: Duration | None = None
    follow_up_role: str | None = None
    follow_up_template: str | None = None
    cool_off: Duration | None = None  # no second survey to one customer within this


def _check_placeholders(text: str) -> str:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(f"bad placeholder: {exc}; write placeholders like {{ticket_id}}") from exc
    for name in fields:
        if not name.isidentifier():
            raise ValueError(f"bad placeholder {{{name}}}; use names like {{customer_name}}")
    return text


LocalText = dict[str, Annotated[str, BeforeValidator(_check_placeholders)]]


class Template(Strict):
    """A message in each language (``{en: ..., es: ...}``) with ``{placeholders}``."""

    subject: LocalText | None = None
    body: LocalText


METRIC_UNITS = {
    "first_response_time_avg": "duration",
    "resolution_time_avg": "duration",
    "sla_compliance": "percent",
    "sla_breach_rate": "percent",
    "first_contact_resolution": "percent",
    "escalation_rate": "percent",
    "csat_percent": "percent",
    "csat_score": "number",
    "nps": "number",
    "retention": "percent",
    "repeat_contact_rate": "percent",
    "refund_rate": "percent",
    "cancellation_rate": "percent",
    "survey_response_rate": "percent",
    "negative_feedback_resolved": "percent",
    "ticket_deflection": "percent",
    "kb_accuracy": "percent",
    "kb_articles_per_month": "number",
}


class Kpi(Strict):
    """A goal reports measure against: ``{metric: escalation_rate, below: 10%}``."""

    metric: Literal[tuple(METRIC_UNITS)]  # type: ignore[valid-type]
    below: str | float | None = None
    at_least: str | float | None = None
    where: SlaConditions | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _goal_fits_metric(self) -> Kpi:
        goals = [g for g in (self.below, self.at_least) if g is not None]
        if len(goals) != 1:
            raise ValueError("give exactly one of below, at_least")
        unit, goal = METRIC_UNITS[self.metric], goals[0]
        if unit == "duration":
            parse_duration(goal)
        elif unit == "percent":
            parse_percent(goal)
        elif not isinstance(goal, int | float):
            raise ValueError(f"{self.metric} goal is a number, got {goal!r}")
        return self


class Pack(Strict):
    """A team's support procedures. See DESIGN.md "Policy packs" for the big picture."""

    name: str = Field(pattern=SLUG)
    version: int | None = Field(None, ge=1)
    title: str
    source: str | None = None
    timezone: TimeZoneName = "UTC"
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    roles: list[Annotated[Role, BeforeValidator(_code_object)]] = Field(default_factory=list)
    priorities: list[Priority] = Field(min_length=1)
    plans: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    calendars: dict[str, CalendarSpec] = Field(default_factory=dict)
    sla_policies: list[SlaPolicy] = Field(default_factory=list)
    classification: Classification | None = None
    error_codes: dict[str, ErrorCode] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    escalation: Escalation | None = None
    rules: list[Rule] = Field(default_factory=list)
    on_call: OnCall | None = None
    refunds: Refunds | None = None
    surveys: dict[str, Survey] = Field(default_factory=dict)
    nps: Nps | None = None
    templates: dict[str, Template] = Field(default_factory=dict)
    # The template sent once to every new ticket; left out = Tierdesk's generic receipt.
    acknowledgement: str | None = None
    kpis: list[Kpi] = Field(default_factory=list)
    reports: list[ScheduledReport] = Field(default_factory=list)
    quality: Quality | None = None  # QA scorecards and the weekly review sample
    risks: RiskRegister | None = None  # the risk register
    organisation: Organisation | None = None  # the chart, reporting lines, cover
    knowledge: Knowledge | None = None  # the KB's reviews and tasks (schema_knowledge)

    @property
    def priority_codes(self) -> list[str]:
        """Return priority codes, most urgent first."""
        return [p.code for p in self.priorities]

    @property
    def default_language(self) -> str:
        """Return the language templates must always have (the first listed)."""
        return self.languages[0]

    def calendar_timezone(self, name: str) -> str:
        """Return the time zone a calendar runs in (``customer``, or the pack's by default)."""
        return self.calendars[name].timezone or self.timezone
