"""Arrivals, and what a pack makes of each: priority, SLA policy and due times, and the
escalations its rules order (pure: no Django).

The due times come from the real code: classification and policy matching from
``tierdesk.policy``, the business calendar from ``tierdesk.sla.calendars`` (the one a live
ticket's clocks run on) and ``BusinessCalendar.add_epoch``. Nothing is re-implemented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tierdesk.policy import classify, match_sla_policy
from tierdesk.policy.matching import rules_for
from tierdesk.sla.calendars import calendar_for_spec, calendar_spec


@dataclass
class Arrival:
    """A ticket as it arrived (from history or a file): what classification and the SLA
    policies look at, and, from history, how long it took to handle."""

    at: float  # POSIX seconds
    subject: str = ""
    channel: str = "email"
    error_code: str = ""
    category: str = ""
    priority: str = ""  # as recorded; kept when the pack's classification has no opinion
    language: str = "en"
    plan: str = ""
    country: str = ""
    timezone: str = ""
    vip: bool = False
    organisation: str | None = None
    tier: str | None = None
    handling: float | None = None  # seconds, learnt from history


@dataclass
class Prepared:
    """One arrival under one pack."""

    index: int
    at: float
    priority: str
    category: str
    plan: str
    language: str
    tier: str | None
    policy: str | None
    fr_due: float | None
    res_due: float | None
    escalate_now: bool = False
    escalate_after: list[float] = field(default_factory=list)  # seconds unresolved


def prepare(arrivals: list[Arrival], pack: Any) -> list[Prepared]:
    """Classify each arrival and compute its due times on the real calendars.

    Classification and policy matching are asked once per distinct set of facts (a month
    of tickets has a few hundred), the calendar once per ticket.
    """
    calendars: dict[tuple, Any] = {}
    classified: dict[tuple, Any] = {}
    matched: dict[tuple, tuple] = {}
    entry_tier = pack.tiers[0].code if pack.tiers else None
    codes = set(pack.priority_codes)
    out: list[Prepared] = []
    for i, a in enumerate(arrivals):
        facts = {"error_code": a.error_code or None, "channel": a.channel,
                 "category": a.category or None, "subject": a.subject, "body": "",
                 "plan": a.plan or None, "organisation": a.organisation, "vip": a.vip,
                 "language": a.language}
        key = tuple(facts.values())
        found = classified.get(key)
        if found is None:
            found = classified[key] = classify(pack, facts)
        priority = found.priority
        if found.rule == "default" and a.priority in codes:
            priority = a.priority  # an agent set it in history; the pack had no opinion
        category = a.category or found.category or ""
        facts.update(priority=priority, category=category, status="new",
                     tier=a.tier or entry_tier, classified_by=found.rule, tags=set())
        key = (priority, category, a.plan, a.channel, a.language, a.vip, a.organisation,
               a.tier, found.rule, a.error_code)
        known = matched.get(key)
        if known is None:
            match = match_sla_policy(pack, facts)
            known = matched[key] = (match, *_escalations(pack, facts))
        match, escalate_now, escalate_after = known
        fr_due = res_due = None
        if match is not None and match.targets:
            key = (match.calendar, a.timezone, a.country)
            calendar = calendars.get(key)
            if calendar is None:
                spec = calendar_spec(pack, match.calendar, timezone=a.timezone or None,
                                     country=a.country or None)
                calendar = calendars[key] = calendar_for_spec(spec)
            if "first_response" in match.targets:
                fr_due = calendar.add_epoch(a.at, match.targets["first_response"] * 60)
            if "resolution" in match.targets:
                res_due = calendar.add_epoch(a.at, match.targets["resolution"] * 60)
        out.append(Prepared(i, a.at, priority, category, a.plan, a.language,
                            a.tier or entry_tier, match.policy if match else None,
                            fr_due, res_due, escalate_now, escalate_after))
    return out


def _escalations(pack: Any, facts: dict[str, Any]) -> tuple[bool, list[float]]:
    """Which of the pack's rules would escalate this ticket: at once (``on: created``), or
    once it has been unresolved for the rule's ``since_created`` (``on: time``)."""
    escalating = [r for r in pack.rules if any(a.escalate for a in r.do)]
    after: list[float] = []
    if not escalating:
        return False, after
    now = any(r in escalating for r in rules_for(pack, "created", facts))
    for rule in escalating:
        bound = rule.when.since_created
        if "time" not in rule.on or bound is None:
            continue
        minutes = bound.gte if bound.gte is not None else bound.gt
        if minutes is None:
            continue
        later = {**facts, "status": "open", "since_created": timedelta(minutes=minutes)}
        if rule.when.matches(later):
            after.append(minutes * 60)
    return now, after
