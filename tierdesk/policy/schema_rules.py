"""Conditions, actions, SLA policies, classification and event/time rules of a pack.

Conditions (``when``) name ticket facts. Each takes one value, a list (any of them),
or ``{in: [...], not: [...]}``; a condition that is left out always matches, and all
the conditions given must match. Actions (``do``, ``on_breach``) are one-key mappings
such as ``{escalate: ENG}`` or ``{notify: {role: support_manager}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, PlainValidator, model_validator

from .durations import parse_duration, parse_percent
from .schema_calendar import Strict

Event = Literal[
    "created", "updated", "replied", "escalated", "closed",
    "sla_warning", "sla_breach", "survey_answered", "time",
]  # fmt: skip
TICKET_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
SLA_METRICS = ("first_response", "next_response", "periodic_update", "resolution")
OTHER = "other"  # key of a per-priority target map that covers every unlisted priority


def _as_list(value: Any) -> Any:
    """Let a manager write ``P1`` for ``[P1]``; ids written as numbers become text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str | int):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


StrList = Annotated[list[str], BeforeValidator(_as_list)]


def _duration(value: Any) -> timedelta:
    return parse_duration(value)


def _sla_duration(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed.total_seconds() % 60:
        raise ValueError(f"SLA targets are counted in whole minutes, got {value!r}")
    return parsed


Duration = Annotated[timedelta, PlainValidator(_duration), PlainSerializer(str)]
SlaDuration = Annotated[timedelta, PlainValidator(_sla_duration), PlainSerializer(str)]


class ValueMatch(Strict):
    """Matches a fact against ``in`` (any of) and ``not`` (none of)."""

    in_: StrList | None = Field(None, alias="in")
    not_: StrList | None = Field(None, alias="not")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        listed = _as_list(value)
        return {"in": listed} if isinstance(listed, list) else value

    def values(self) -> list[str]:
        """Return every value named, for reference checks."""
        return [*(self.in_ or []), *(self.not_ or [])]

    def matches(self, fact: Any) -> bool:
        """Return whether one fact value (or a set of tags) satisfies the match."""
        have = (
            {str(v) for v in fact}
            if isinstance(fact, set | frozenset | list | tuple)
            else (set() if fact is None else {str(fact)})
        )
        if self.in_ is not None and not have & set(self.in_):
            return False
        return not (self.not_ is not None and have & set(self.not_))


class Compare(Strict):
    """A numeric comparison such as ``{gte: 2h}`` or ``{lt: 3}``; all bounds given must hold."""

    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> Compare:
        if all(v is None for v in (self.gt, self.gte, self.lt, self.lte)):
            raise ValueError("give at least one of gt, gte, lt, lte")
        return self

    def matches(self, value: float | None) -> bool:
        """Return whether ``value`` is within every bound (a missing value never is)."""
        if value is None:
            return False
        return (
            (self.gt is None or value > self.gt)
            and (self.gte is None or value >= self.gte)
            and (self.lt is None or value < self.lt)
            and (self.lte is None or value <= self.lte)
        )


def _durations_to_minutes(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: parse_duration(v).total_seconds() / 60 if isinstance(v, str) else v
            for k, v in value.items()
        }
    return value


# Written with durations ({gte: 2h}); stored in minutes so it compares with numbers.
DurationCompare = Annotated[Compare, BeforeValidator(_durations_to_minutes)]


class TicketConditions(Strict):
    """Facts every kind of condition can test."""

    plan: ValueMatch | None = None
    channel: ValueMatch | None = None
    category: ValueMatch | None = None
    organisation: ValueMatch | None = None
    language: ValueMatch | None = None
    vip: bool | None = None

    def matches(self, facts: Mapping[str, Any]) -> bool:
        """Return whether every condition given holds for ``facts`` (missing facts fail)."""
        for name in type(self).model_fields:
            cond = getattr(self, name)
            if cond is None or name == "keywords":
                continue
            if not self._holds(name, cond, facts):
                return False
        return True

    def _holds(self, name: str, cond: Any, facts: Mapping[str, Any]) -> bool:
        fact = facts.get(name)
        if isinstance(cond, ValueMatch):
            return cond.matches(fact)
        if isinstance(cond, Compare):
            if isinstance(fact, timedelta):
                fact = fact.total_seconds() / 60
            return cond.matches(fact)
        return bool(fact) == cond


class SlaConditions(TicketConditions):
    """Which tickets an SLA policy covers."""

    priority: ValueMatch | None = None


class ClassifyConditions(TicketConditions):
    """What a classification rule looks at: the ticket as it arrives, before a priority."""

    error_code: ValueMatch | None = None
    keywords: StrList | None = None
    # Tags the intake gave the ticket (mail marked "X-Priority: 1" arrives tagged
    # high-importance), so any intake's signals can feed classification.
    tags: ValueMatch | None = None

    def matches(self, facts: Mapping[str, Any]) -> bool:
        """Return whether conditions hold; keywords match whole words of subject or body."""
        if not super().matches(facts):
            return False
        if self.keywords:
            text = f"{facts.get('subject') or ''}\n{facts.get('body') or ''}"
            return any(
                re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
                for word in self.keywords
            )
        return True


class RuleConditions(SlaConditions):
    """What an event or time rule tests.

    ``since_created`` / ``since_updated`` / ``since_closed`` / ``time_spent`` take
    duration bounds (``{gte: 2h}``), measured in business time of the ticket's SLA
    calendar when the rule says ``business_time: true``. ``classified_by`` is the
    classification rule that set the priority, ``error_code``, ``default`` or ``agent``.
    """

    status: ValueMatch | None = None
    tier: ValueMatch | None = None
    error_code: ValueMatch | None = None
    tags: ValueMatch | None = None
    classified_by: ValueMatch | None = None
    since_created: DurationCompare | None = None
    since_updated: DurationCompare | None = None
    since_closed: DurationCompare | None = None
    time_spent: DurationCompare | None = None
    score: Compare | None = None
    business_hours: bool | None = None


class Recipient(Strict):
    """Who hears about it: exactly one of a role, tier, unit, on-call group or the customer."""

    role: str | None = None
    tier: str | None = None
    unit: str | None = None
    on_call: str | None = None
    customer: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Recipient:
        _exactly_one_set(self, "a recipient")
        return self


def _exactly_one_set(model: Strict, what: str) -> str:
    given = [name for name in type(model).model_fields if getattr(model, name) is not None]
    if len(given) != 1:
        names = ", ".join(f.alias or n for n, f in type(model).model_fields.items())
        raise ValueError(f"{what} names exactly one of: {names}")
    return given[0]


def _as_recipients(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class SetFields(Strict):
    """Ticket fields an action sets."""

    priority: str | None = None
    category: str | None = None
    status: str | None = None
    tier: str | None = None


class SlackPost(Strict):
    channel: str = Field(pattern=r"^#[\w-]+$")
    template: str | None = None


class JiraIssue(Strict):
    project: str
    issue_type: str = "Bug"


class Webhook(Strict):
    url: str = Field(pattern=r"^https://")


class Credit(Strict):
    amount: float = Field(gt=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")


class Action(Strict):
    """One thing a rule does. Write exactly one key per list item."""

    escalate: str | None = None  # a tier or unit code
    assign: Recipient | None = None
    notify: Annotated[list[Recipient], BeforeValidator(_as_recipients)] | None = None
    set_: SetFields | None = Field(None, alias="set")
    add_tags: StrList | None = None
    send_template: str | None = None
    post_slack: SlackPost | None = None
    open_jira: JiraIssue | None = None
    webhook: Webhook | None = None
    issue_credit: Credit | None = None
    request_kb_article: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Action:
        _exactly_one_set(self, "an action")
        return self

    @property
    def kind(self) -> str:
        """Return the action's key as written in the pack (``set``, ``notify``...)."""
        for name, field in type(self).model_fields.items():
            if getattr(self, name) is not None:
                return field.alias or name
        raise AssertionError("validated actions always have one key")


def _per_priority(value: Any) -> Any:
    # A single duration applies to every priority; parsed here so errors point at the metric.
    return {OTHER: _sla_duration(value)} if isinstance(value, str) else value


Target = Annotated[dict[str, SlaDuration], BeforeValidator(_per_priority)]


class Targets(Strict):
    """SLA targets: one duration for every priority, or ``{P1: 4h, P2: 12h, other: 24h}``.

    A priority missing from a map (with no ``other``) has no target for that metric.
    """

    first_response: Target | None = None
    next_response: Target | None = None
    periodic_update: Target | None = None
    resolution: Target | None = None

    @model_validator(mode="after")
    def _some_target(self) -> Targets:
        if all(getattr(self, m) is None for m in SLA_METRICS):
            raise ValueError(f"give at least one target: {', '.join(SLA_METRICS)}")
        return self

    def for_priority(self, priority: str | None) -> dict[str, timedelta]:
        """Return each metric's target for ``priority``, leaving out metrics without one."""
        out = {}
        for metric in SLA_METRICS:
            per = getattr(self, metric)
            if per is None:
                continue
            value = per.get(priority) if priority is not None else None
            value = value if value is not None else per.get(OTHER)
            if value is not None:
                out[metric] = value
        return out


class WarnBefore(Strict):
    """How long before a target the "about to breach" warning fires: ``25%`` or ``30m``."""

    percent: float | None = None
    duration: timedelta | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().endswith("%"):
                percent = parse_percent(value)
                if not 0 < percent < 100:
                    raise ValueError(f"warn_before must be between 0% and 100%, got {value!r}")
                return {"percent": percent}
            return {"duration": parse_duration(value)}
        if isinstance(value, dict):
            return value
        raise ValueError(f"warn_before is a percentage (25%) or a duration (30m), got {value!r}")

    def minutes_before(self, target_minutes: int) -> int:
        """Return how many minutes before a ``target_minutes`` deadline to warn."""
        if self.percent is not None:
            return int(target_minutes * self.percent / 100)
        assert self.duration is not None
        return min(target_minutes, int(self.duration.total_seconds()) // 60)


class SlaPolicy(Strict):
    """Targets for the tickets ``when`` matches, counted on ``calendar``. First match wins."""

    name: str = Field(min_length=1)
    when: SlaConditions = Field(default_factory=SlaConditions)
    calendar: str
    targets: Targets
    warn_before: WarnBefore | None = None
    on_warning: list[Action] = Field(default_factory=list)
    on_breach: list[Action] = Field(default_factory=list)


class ClassifySet(Strict):
    priority: str | None = None
    category: str | None = None

    @model_validator(mode="after")
    def _something(self) -> ClassifySet:
        if self.priority is None and self.category is None:
            raise ValueError("set a priority, a category or both")
        return self


class ClassifyRule(Strict):
    name: str = Field(min_length=1)
    when: ClassifyConditions
    set_: ClassifySet = Field(alias="set")


class Classification(Strict):
    """How a new ticket gets its priority: rules in order, then the error-code catalogue,
    then ``default_priority``; ``within`` is the time an agent has to confirm it."""

    within: Duration | None = None
    rules: list[ClassifyRule] = Field(default_factory=list)
    default_priority: str
    default_category: str | None = None


class Rule(Strict):
    """Do ``do`` when ``on`` happens and ``when`` holds. Time rules (``on: time``) are
    checked by the periodic sweep and fire once per ticket unless ``repeat: true``."""

    name: str = Field(min_length=1)
    on: Annotated[list[Event], BeforeValidator(_as_list)] = Field(min_length=1)
    when: RuleConditions = Field(default_factory=RuleConditions)
    business_time: bool = False
    repeat: bool = False
    do: list[Action] = Field(min_length=1)
