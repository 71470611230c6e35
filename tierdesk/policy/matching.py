"""Pure decisions a pack makes about one ticket: which SLA policy applies, what priority
a new ticket gets, whether a rule fires. Facts are plain dicts so any caller (service,
sweep, CLI ``--explain``) can ask without the ORM.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .durations import to_minutes
from .schema import Pack
from .schema_rules import Rule

_ERROR_CODE = re.compile(r"\b[A-Z]{2,5}-\d{3,5}\b")


@dataclass(frozen=True)
class SlaMatch:
    """The policy that governs a ticket and its targets in minutes on ``calendar``."""

    policy: str
    calendar: str
    targets: dict[str, int]  # metric -> minutes, e.g. {"first_response": 240}
    warn_before: dict[str, int] = field(default_factory=dict)  # metric -> minutes before due
    policy_index: int = 0


@dataclass(frozen=True)
class Classification:
    """What classification decided and which rule decided it (``default`` when none)."""

    priority: str
    category: str | None
    rule: str


def match_sla_policy(pack: Pack, facts: Mapping[str, Any]) -> SlaMatch | None:
    """Return the first SLA policy whose ``when`` holds for ``facts``, or None.

    ``facts`` keys: priority, plan, channel, category, organisation, language, vip.
    """
    for index, policy in enumerate(pack.sla_policies):
        if not policy.when.matches(facts):
            continue
        targets = {
            metric: to_minutes(value)
            for metric, value in policy.targets.for_priority(facts.get("priority")).items()
        }
        warn = (
            {m: policy.warn_before.minutes_before(t) for m, t in targets.items()}
            if policy.warn_before
            else {}
        )
        return SlaMatch(policy.name, policy.calendar, targets, warn, index)
    return None


def find_error_code(pack: Pack, facts: Mapping[str, Any]) -> str | None:
    """Return the ticket's error code: the ``error_code`` fact, else the first catalogue
    code quoted in the subject or body (customers paste them into the text)."""
    code = facts.get("error_code")
    if code:
        return str(code)
    text = f"{facts.get('subject') or ''}\n{facts.get('body') or ''}"
    for found in _ERROR_CODE.findall(text):
        if found in pack.error_codes:
            return found
    return None


def classify(pack: Pack, facts: Mapping[str, Any]) -> Classification:
    """Return the priority and category for a new ticket.

    1. The first classification rule whose ``when`` holds sets what it names.
    2. Else a catalogued error code sets its priority and category (rule ``error_code``).
    3. Else ``default_priority`` (rule ``default``).
    """
    facts = dict(facts)
    facts["error_code"] = find_error_code(pack, facts)
    rules = pack.classification.rules if pack.classification else []
    entry = pack.error_codes.get(facts["error_code"] or "")
    default_priority = (
        pack.classification.default_priority if pack.classification else pack.priority_codes[-1]
    )
    default_category = pack.classification.default_category if pack.classification else None
    for rule in rules:
        if rule.when.matches(facts):
            priority = rule.set_.priority or (entry.priority if entry else default_priority)
            category = rule.set_.category or (entry.category if entry else facts.get("category"))
            return Classification(priority, category or default_category, rule.name)
    if entry is not None:
        return Classification(
            entry.priority, entry.category or facts.get("category") or default_category,
            "error_code",
        )  # fmt: skip
    return Classification(default_priority, facts.get("category") or default_category, "default")


def rule_applies(rule: Rule, event: str, facts: Mapping[str, Any]) -> bool:
    """Return whether ``rule`` fires for ``event`` given ``facts``.

    Durations in facts (``since_created``...) are ``timedelta``s, already measured in
    business time when ``rule.business_time`` is set; ``tags`` is a set of strings.
    """
    return event in rule.on and rule.when.matches(facts)


def rules_for(pack: Pack, event: str, facts: Mapping[str, Any]) -> list[Rule]:
    """Return the pack's rules that fire for ``event``, in pack order."""
    return [rule for rule in pack.rules if rule_applies(rule, event, facts)]
