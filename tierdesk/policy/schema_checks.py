"""Cross-reference checks: everything a pack names must be declared in the pack.

Runs after each section validated on its own. A section that failed validation is
``skipped``: references *into* it are not checked (its names are unknown) and nothing
*in* it is checked, so one typo does not bury the real error under follow-on noise.
A list or mapping section is ``salvaged`` instead when some of its items validated:
those are checked at their original places, and the names of the broken ones still count
as declared. An unknown name is reported with the valid ones and the nearest of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import PackError
from .placeholders import unknown_placeholders
from .schema import PLATFORM_ROLES, Pack
from .schema_rules import (
    OTHER,
    SLA_METRICS,
    TICKET_STATUSES,
    Action,
    Recipient,
    TicketConditions,
    ValueMatch,
)
from .suggest import unknown_message

# "classified_by" may also name these sources besides classification rules.
CLASSIFIED_BY = ("default", "error_code", "agent")


@dataclass
class Salvaged:
    """What survives of a section with errors: the valid ``items`` (a list, or a mapping
    for mapping sections), their original ``places`` (list indices) and every ``name`` the
    section declares, broken items included."""

    items: Any
    places: list[Any]
    names: list[str]


_PLURALS = {"escalation criterion": "escalation criteria", "tier or unit": "tiers or units"}


def _plural(kind: str) -> str:
    if kind in _PLURALS:
        return _PLURALS[kind]
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + ("es" if kind.endswith("s") else "s")


class _Checker:
    def __init__(self, pack: Pack, skipped: set[str],
                 salvaged: dict[str, Salvaged] | None = None) -> None:
        self.pack = pack
        self.skipped = skipped
        self.salvaged = salvaged or {}
        self.errors: list[PackError] = []
        self.known: dict[str, set[str] | None] = {}

    def declare(self, kind: str, section: str, names: Iterable[str]) -> None:
        if section in self.skipped:
            self.known[kind] = None
            return
        extra = self.salvaged[section].names if section in self.salvaged else []
        self.known[kind] = {*names, *extra}

    def place(self, section: str, index: int) -> int:
        """Return the index in the file of the ``index``-th valid item of a list section."""
        kept = self.salvaged.get(section)
        return kept.places[index] if kept is not None else index

    def each(self, section: str, items: list[Any]) -> Iterator[tuple[int, Any]]:
        """Yield (index in the file, item) for the valid items of a list section."""
        for i, item in enumerate(items):
            yield self.place(section, i), item

    def unknown(self, kind: str, value: str, valid: Iterable[str]) -> str:
        return unknown_message(kind, value, valid, plural=_plural(kind))

    def live(self, section: str) -> bool:
        return section not in self.skipped

    def error(self, path: str, message: str) -> None:
        self.errors.append(PackError(path, message))

    def ref(self, kind: str, value: str | None, path: str, *, is_key: bool = False) -> None:
        """Report ``value`` unless it is a declared ``kind``; ``is_key``: the path ends in it."""
        known = self.known.get(kind)
        if value is None or known is None or value in known:
            return
        message = self.unknown(kind, value, known)
        if is_key:  # the path already ends in the name: "...first_response.P5: unknown priority"
            message = message.replace(f" {value!r}", "", 1)
        self.error(path, message)

    def match(self, kind: str, match: ValueMatch | None, path: str) -> None:
        if match is None:
            return
        # The path stops at the condition: "priority: P7" and "{in: [P7]}" read the same.
        for value in match.values():
            self.ref(kind, value, path)

    def unique(self, section: str, values: list[str], what: str, field: str = "code") -> None:
        if not self.live(section):
            return
        counts = Counter(values)
        for i, value in enumerate(values):
            if counts[value] > 1 and values.index(value) != i:
                suffix = f".{field}" if field else ""
                self.error(f"{section}[{self.place(section, i)}]{suffix}",
                           f"duplicate {what} {value!r}")


_CONDITION_KINDS = {
    "priority": "priority",
    "plan": "plan",
    "channel": "channel",
    "category": "category",
    "tier": "tier",
    "status": "status",
    "error_code": "error code",
    "classified_by": "classification rule",
}


def _conditions(c: _Checker, when: TicketConditions | None, path: str) -> None:
    if when is None:
        return
    for field, kind in _CONDITION_KINDS.items():
        value = getattr(when, field, None)
        if isinstance(value, ValueMatch):
            c.match(kind, value, f"{path}.{field}")


def _recipient(c: _Checker, r: Recipient, path: str) -> None:
    c.ref("role", r.role, f"{path}.role")
    c.ref("tier", r.tier, f"{path}.tier")
    c.ref("unit", r.unit, f"{path}.unit")
    c.ref("on-call group", r.on_call, f"{path}.on_call")


def _actions(c: _Checker, actions: list[Action], path: str) -> None:
    for i, a in enumerate(actions):
        p = f"{path}[{i}]"
        if a.escalate is not None:
            tiers, units = c.known.get("tier"), c.known.get("unit")
            if tiers is not None and units is not None and a.escalate not in tiers | units:
                c.error(f"{p}.escalate", c.unknown("tier or unit", a.escalate, tiers | units))
        if a.assign is not None:
            _recipient(c, a.assign, f"{p}.assign")
            if a.assign.customer:
                c.error(f"{p}.assign", "a ticket cannot be assigned to the customer")
        for j, r in enumerate(a.notify or []):
            _recipient(c, r, f"{p}.notify[{j}]")
        if a.set_ is not None:
            c.ref("priority", a.set_.priority, f"{p}.set.priority")
            c.ref("category", a.set_.category, f"{p}.set.category")
            c.ref("status", a.set_.status, f"{p}.set.status")
            c.ref("tier", a.set_.tier, f"{p}.set.tier")
        c.ref("template", a.send_template, f"{p}.send_template")
        if a.post_slack is not None:
            c.ref("template", a.post_slack.template, f"{p}.post_slack.template")


def check_references(pack: Pack, skipped: set[str] | None = None,
                     salvaged: dict[str, Salvaged] | None = None) -> list[PackError]:
    """Return every reference in ``pack`` to something it does not declare."""
    c = _Checker(pack, skipped or set(), salvaged)
    _declare(c, pack)
    _check_declarations(c, pack)
    if c.live("sla_policies"):
        for i, pol in c.each("sla_policies", pack.sla_policies):
            p = f"sla_policies[{i}]"
            _conditions(c, pol.when, f"{p}.when")
            c.ref("calendar", pol.calendar, f"{p}.calendar")
            for metric in SLA_METRICS:
                for key in getattr(pol.targets, metric) or {}:
                    if key != OTHER:
                        c.ref("priority", key, f"{p}.targets.{metric}.{key}", is_key=True)
            _actions(c, pol.on_warning, f"{p}.on_warning")
            _actions(c, pol.on_breach, f"{p}.on_breach")
    if c.live("classification") and pack.classification is not None:
        cl = pack.classification
        for i, rule in enumerate(cl.rules):
            p = f"classification.rules[{i}]"
            _conditions(c, rule.when, f"{p}.when")
            c.ref("priority", rule.set_.priority, f"{p}.set.priority")
            c.ref("category", rule.set_.category, f"{p}.set.category")
        c.ref("priority", cl.default_priority, "classification.default_priority")
        c.ref("category", cl.default_category, "classification.default_category")
    if c.live("error_codes"):
        for code, ec in pack.error_codes.items():
            c.ref("priority", ec.priority, f"error_codes.{code}.priority")
            c.ref("category", ec.category, f"error_codes.{code}.category")
    if c.live("channels"):
        for name, ch in pack.channels.items():
            p = f"channels.{name}"
            for field, kind in (("plans", "plan"), ("priorities", "priority"), ("tiers", "tier")):
                for i, value in enumerate(getattr(ch, field) or []):
                    c.ref(kind, value, f"{p}.{field}[{i}]")
            c.ref("calendar", ch.hours, f"{p}.hours")
            c.ref("on-call group", ch.on_call, f"{p}.on_call")
    if c.live("rules"):
        for i, rule in c.each("rules", pack.rules):
            _conditions(c, rule.when, f"rules[{i}].when")
            _actions(c, rule.do, f"rules[{i}].do")
    _check_people(c, pack)
    _check_escalation(c, pack)
    _check_templates(c, pack)
    _check_quality_risks_org(c, pack)
    return c.errors


def _declare(c: _Checker, pack: Pack) -> None:
    c.declare("priority", "priorities", pack.priority_codes)
    c.declare("plan", "plans", pack.plans)
    c.declare("category", "categories", pack.categories)
    c.declare("tier", "tiers", (t.code for t in pack.tiers))
    c.declare("unit", "units", (u.code for u in pack.units))
    c.declare("calendar", "calendars", pack.calendars)
    c.declare("channel", "channels", pack.channels)
    c.declare("template", "templates", pack.templates)
    c.declare("role", "roles", (r.code for r in pack.roles))
    c.declare("language", "languages", pack.languages)
    c.declare("status", "", TICKET_STATUSES)
    rotations = pack.on_call.rotations if pack.on_call else []
    c.declare("on-call group", "on_call", (r.group for r in rotations))
    # An empty catalogue means the pack does not use error codes: any code may be named.
    c.known["error code"] = set(pack.error_codes) if pack.error_codes else None
    if "error_codes" in c.skipped:
        c.known["error code"] = None
    names = [r.name for r in pack.classification.rules] if pack.classification else []
    c.declare("classification rule", "classification", [*names, *CLASSIFIED_BY])


def _check_declarations(c: _Checker, pack: Pack) -> None:
    c.unique("priorities", pack.priority_codes, "priority")
    c.unique("plans", pack.plans, "plan", field="")
    c.unique("categories", pack.categories, "category", field="")
    c.unique("languages", pack.languages, "language", field="")
    c.unique("tiers", [t.code for t in pack.tiers], "tier")
    c.unique("units", [u.code for u in pack.units], "unit")
    c.unique("roles", [r.code for r in pack.roles], "role")
    c.unique("sla_policies", [p.name for p in pack.sla_policies], "policy name", field="name")
    c.unique("rules", [r.name for r in pack.rules], "rule name", field="name")
    if pack.classification is not None:
        names = [r.name for r in pack.classification.rules]
        c.unique("classification", names, "rule name", field="name")
    if c.live("tiers"):
        for i, tier in c.each("tiers", pack.tiers):
            c.ref("tier", tier.escalates_to, f"tiers[{i}].escalates_to")
            c.ref("role", tier.role, f"tiers[{i}].role")
    if c.live("roles"):
        for i, role in c.each("roles", pack.roles):
            if role.based_on is not None and role.based_on not in PLATFORM_ROLES:
                c.error(f"roles[{i}].based_on",
                        c.unknown("platform role", role.based_on, PLATFORM_ROLES))
            if role.based_on is None and role.code not in PLATFORM_ROLES:
                c.error(
                    f"roles[{i}]",
                    f"{role.code!r} is not a platform role; add based_on: one of "
                    + ", ".join(PLATFORM_ROLES),
                )
    if c.live("kpis"):
        for i, kpi in c.each("kpis", pack.kpis):
            _conditions(c, kpi.where, f"kpis[{i}].where")


def _check_people(c: _Checker, pack: Pack) -> None:
    if c.live("units"):
        for i, unit in c.each("units", pack.units):
            c.ref("role", unit.escalate_from, f"units[{i}].escalate_from")
    if c.live("on_call") and pack.on_call is not None:
        for i, rot in enumerate(pack.on_call.rotations):
            c.ref("tier", rot.tier, f"on_call.rotations[{i}].tier")
    if c.live("refunds") and pack.refunds is not None:
        for section, items in (
            ("limits", pack.refunds.limits),
            ("cancellations", pack.refunds.cancellations),
        ):
            for i, item in enumerate(items):
                p = f"refunds.{section}[{i}]"
                c.ref("role", item.role, f"{p}.role")
                for j, plan in enumerate(item.plans or []):
                    c.ref("plan", plan, f"{p}.plans[{j}]")
    if c.live("reports"):
        for i, scheduled in enumerate(pack.reports):
            for j, role in enumerate(scheduled.to):
                c.ref("role", role, f"reports[{i}].to[{j}]")
    if c.live("surveys"):
        for name, survey in pack.surveys.items():
            p = f"surveys.{name}"
            c.ref("role", survey.follow_up_role, f"{p}.follow_up_role")
            c.ref("template", survey.follow_up_template, f"{p}.follow_up_template")
            if survey.low_score_below is not None and survey.low_score_below > survey.scale:
                c.error(f"{p}.low_score_below", f"is above the {survey.scale}-point scale")
    if c.live("nps") and pack.nps is not None:
        c.ref("role", pack.nps.detractor_role, "nps.detractor_role")


def _check_escalation(c: _Checker, pack: Pack) -> None:
    esc = pack.escalation
    if not c.live("escalation") or esc is None:
        return
    fields, criteria = set(esc.handoff_fields), {cr.code for cr in esc.criteria}

    def handoff(items: list[str], path: str) -> None:
        for i, item in enumerate(items):
            if item not in fields:
                c.error(f"{path}[{i}]", c.unknown("handoff field", item, fields))

    handoff(esc.handoff_requires, "escalation.handoff_requires")
    for i, path in enumerate(esc.paths):
        p = f"escalation.paths[{i}]"
        for end, value in (("from", path.from_), ("to", path.to)):
            tiers, units = c.known.get("tier"), c.known.get("unit")
            if tiers is not None and units is not None and value not in tiers | units:
                c.error(f"{p}.{end}", c.unknown("tier or unit", value, tiers | units))
        for j, code in enumerate(path.when_any):
            if code not in criteria:
                c.error(f"{p}.when_any[{j}]", c.unknown("escalation criterion", code, criteria))
        handoff(path.handoff_requires or [], f"{p}.handoff_requires")
    if esc.resolution is not None:
        c.ref("tier", esc.resolution.communicated_by, "escalation.resolution.communicated_by")
        c.ref("tier", esc.resolution.closed_by, "escalation.resolution.closed_by")
        kb = esc.resolution.knowledge_base
        for j, code in enumerate(kb.criteria if kb else []):
            if code not in criteria:
                c.error(f"escalation.resolution.knowledge_base.criteria[{j}]",
                        f"unknown escalation criterion {code!r}")


def _check_templates(c: _Checker, pack: Pack) -> None:
    c.ref("template", pack.acknowledgement, "acknowledgement")
    if pack.acknowledgement is not None and c.live("rules"):
        for i, rule in c.each("rules", pack.rules):
            if "created" not in rule.on:
                continue
            for j, action in enumerate(rule.do):
                if action.send_template == pack.acknowledgement:
                    c.error(f"rules[{i}].do[{j}].send_template",
                            f"{pack.acknowledgement!r} is the acknowledgement, already sent "
                            "once to every new ticket; this rule would send a second one")
    if not c.live("templates"):
        return
    languages = c.known.get("language")
    for name, template in pack.templates.items():
        for part in ("subject", "body"):
            texts: dict[str, Any] = getattr(template, part) or {}
            for lang, text in texts.items():
                path = f"templates.{name}.{part}.{lang}"
                if languages is not None:
                    c.ref("language", lang, path, is_key=True)
                for message in unknown_placeholders(text):
                    c.error(path, message)
            if languages is not None and texts and pack.default_language not in texts:
                c.error(
                    f"templates.{name}.{part}",
                    f"missing the default language {pack.default_language!r}",
                )


def _check_quality_risks_org(c: _Checker, pack: Pack) -> None:
    """QA scorecards, the risk register and the organisation chart name roles, units,
    tiers and each other's positions: each must exist."""
    if c.live("quality") and pack.quality is not None:
        q = pack.quality
        if q.default_scorecard is not None and q.default_scorecard not in q.scorecards:
            c.error("quality.default_scorecard",
                    c.unknown("scorecard", q.default_scorecard, q.scorecards))
        c.ref("role", q.sample.reviewer_role, "quality.sample.reviewer_role")
        for i, status in enumerate(q.sample.statuses):
            c.ref("status", status, f"quality.sample.statuses[{i}]")
    if c.live("risks") and pack.risks is not None:
        r = pack.risks
        _recipient(c, r.owner, "risks.owner")
        for i, route in enumerate(r.routes):
            p = f"risks.routes[{i}]"
            for j, category in enumerate(route.categories):
                if category not in r.categories:
                    c.error(f"{p}.categories[{j}]",
                            c.unknown("risk category", category, r.categories))
            _recipient(c, route.owner, f"{p}.owner")
            if route.escalate is not None:
                tiers, units = c.known.get("tier"), c.known.get("unit")
                if tiers is not None and units is not None and route.escalate not in tiers | units:
                    c.error(f"{p}.escalate",
                            c.unknown("tier or unit", route.escalate, tiers | units))
    if c.live("organisation") and pack.organisation is not None:
        positions = pack.organisation.positions
        codes = [p.code for p in positions]
        c.known["position"] = set(codes)
        c.unique("organisation", codes, "position")
        for i, pos in enumerate(positions):
            p = f"organisation.positions[{i}]"
            c.ref("role", pos.role, f"{p}.role")
            c.ref("unit", pos.unit, f"{p}.unit")
            for field in ("reports_to", "dotted_to", "covered_by"):
                value = getattr(pos, field)
                if value == pos.code:
                    c.error(f"{p}.{field}", "a position cannot point at itself")
                else:
                    c.ref("position", value, f"{p}.{field}")
        _check_no_reporting_loop(c, positions)


def _check_no_reporting_loop(c: _Checker, positions: list[Any]) -> None:
    boss = {p.code: p.reports_to for p in positions}
    for i, pos in enumerate(positions):
        seen, at = {pos.code}, boss.get(pos.code)
        while at is not None and at in boss:
            if at in seen:
                c.error(f"organisation.positions[{i}].reports_to",
                        f"reporting lines loop back to {pos.code!r}")
                break
            seen.add(at)
            at = boss[at]
