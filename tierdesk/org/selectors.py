"""Read the organisation chart: positions from the active pack, holders from placements.

``role_holders`` and ``unit_holders`` are how notifications, risk owners and reviewers
resolve through the chart: the available holders of the positions carrying the role,
else (walking ``covered_by``) whoever covers them. ``None`` means the chart says nothing
about that role, and the caller falls back to everyone holding the platform role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tierdesk.org.models import Placement
from tierdesk.people.models import Agent


@dataclass
class Box:
    code: str
    name: str
    kind: str
    role: str | None
    unit: str | None
    reports_to: str | None
    dotted_to: str | None
    covered_by: str | None
    headcount: int | None
    description: str | None
    holders: list[Agent] = field(default_factory=list)
    away: set[int] = field(default_factory=set)  # agent ids marked away
    children: list[Box] = field(default_factory=list)
    dotted: list[Box] = field(default_factory=list)

    @property
    def available(self) -> list[Agent]:
        return [a for a in self.holders if a.is_active and a.pk not in self.away]


@dataclass
class Chart:
    department: str
    aliases: list[str]
    headcount: int | None
    boxes: dict[str, Box]

    @property
    def roots(self) -> list[Box]:
        return [b for b in self.boxes.values()
                if b.reports_to is None and b.dotted_to is None and b.kind != "contact"]

    @property
    def contacts(self) -> list[Box]:
        return [b for b in self.boxes.values() if b.kind == "contact"]

    def people(self) -> list[Agent]:
        """Return every active agent placed inside the department (contacts excluded)."""
        seen: dict[int, Agent] = {}
        for box in self.boxes.values():
            if box.kind != "contact":
                for agent in box.holders:
                    if agent.is_active:
                        seen.setdefault(agent.pk, agent)
        return list(seen.values())

    def team_size(self, box: Box) -> int:
        """Return the people in ``box`` and below it (solid and dotted lines), once each."""
        ids: set[int] = set()
        stack = [box]
        while stack:
            b = stack.pop()
            ids.update(a.pk for a in b.holders if a.is_active)
            stack += b.children + b.dotted
        return len(ids)


def chart_for(pack: Any) -> Chart | None:
    """Return the chart of ``pack`` with its holders, or None when it draws none."""
    org = getattr(pack, "organisation", None) if pack is not None else None
    if org is None:
        return None
    boxes = {p.code: Box(code=p.code, name=p.name, kind=p.kind, role=p.role, unit=p.unit,
                         reports_to=p.reports_to, dotted_to=p.dotted_to,
                         covered_by=p.covered_by, headcount=p.headcount,
                         description=p.description)
             for p in org.positions}
    placements = (Placement.objects.filter(position__in=list(boxes))
                  .select_related("agent__user", "agent__tier"))
    for placement in placements:
        box = boxes[placement.position]
        box.holders.append(placement.agent)
        if placement.away:
            box.away.add(placement.agent.pk)
    for box in boxes.values():
        if box.reports_to in boxes:
            boxes[box.reports_to].children.append(box)
        elif box.dotted_to in boxes:
            boxes[box.dotted_to].dotted.append(box)
    return Chart(department=org.department, aliases=list(org.aliases),
                 headcount=org.headcount, boxes=boxes)


def _cover(chart: Chart, boxes: list[Box]) -> list[Agent]:
    """Return the available holders of ``boxes``, else of whoever covers them, in turn."""
    seen: set[str] = set()
    while boxes:
        found = {a.pk: a for b in boxes for a in b.available}
        if found:
            return list(found.values())
        seen.update(b.code for b in boxes)
        boxes = [chart.boxes[b.covered_by] for b in boxes
                 if b.covered_by in chart.boxes and b.covered_by not in seen]
    return []


def role_holders(pack: Any, role: str) -> list[Agent] | None:
    """Return who answers for ``role`` through the chart, or None if no box carries it."""
    chart = chart_for(pack)
    if chart is None:
        return None
    boxes = [b for b in chart.boxes.values() if b.role == role]
    staffed = any(b.holders for b in boxes) or any(b.covered_by for b in boxes)
    if not boxes or not staffed:
        return None
    found = _cover(chart, boxes)
    return found or None


def unit_holders(pack: Any, unit: str) -> list[Agent]:
    """Return the available holders of the chart's contact boxes for ``unit``."""
    chart = chart_for(pack)
    if chart is None:
        return []
    return _cover(chart, [b for b in chart.boxes.values() if b.unit == unit])


def department_matches(chart: Chart, name: str) -> bool:
    wanted = " ".join(name.split()).casefold()
    return wanted in {n.casefold() for n in [chart.department, *chart.aliases]}


def positions_of(agent: Agent) -> list[str]:
    return list(Placement.objects.filter(agent=agent).values_list("position", flat=True))


def _person(agent: Agent, box: Box, chart: Chart) -> dict:
    boss = chart.boxes.get(box.reports_to or "")
    return {
        "agent_id": agent.pk, "name": agent.user.get_full_name() or agent.user.username,
        "username": agent.user.username, "email": agent.user.email,
        "position": box.name, "position_code": box.code,
        "tier": agent.tier.code if agent.tier_id else None,
        "away": agent.pk in box.away, "active": agent.is_active,
        "reports_to": ([h.user.get_full_name() or h.user.username for h in boss.holders]
                       if boss else []),
    }


def _node(box: Box, chart: Chart) -> dict:
    return {
        "code": box.code, "name": box.name, "kind": box.kind, "role": box.role,
        "unit": box.unit, "description": box.description,
        "covered_by": box.covered_by, "headcount": box.headcount,
        "covered_by_name": (chart.boxes[box.covered_by].name
                            if box.covered_by in chart.boxes else box.covered_by),
        "team_size": chart.team_size(box),
        "holders": [_person(a, box, chart) for a in box.holders],
        "reports": [_node(c, chart) for c in box.children],
        "dotted": [_node(c, chart) for c in box.dotted],
    }


def hierarchy(chart: Chart) -> dict:
    """Return the department as Fire22's "Team Structure" reads: leadership (the top of
    the chart), management (who reports to them), the team size, then the whole tree."""
    roots = chart.roots
    management = [c for r in roots for c in r.children if c.kind == "position"]
    return {
        "department": chart.department,
        "leadership": [_person(a, b, chart) for b in roots for a in b.holders],
        "management": [_person(a, b, chart) for b in management for a in b.holders],
        "team_size": len(chart.people()),
        "declared_team_size": chart.headcount,
        "structure": [_node(r, chart) for r in roots],
        "contacts": [_node(c, chart) for c in chart.contacts],
    }


@dataclass
class Landing:
    """Who an escalation lands on: ``agent``, holding ``position`` (a box code); when the
    target's own holders are all away, ``covering`` names the box they stand in for."""

    agent: Agent
    position: str
    covering: str | None = None


def _escalation_boxes(pack: Any, chart: Chart, to: str, *, tier: bool) -> list[Box]:
    """Return the boxes an escalation to ``to`` names: a unit's contact box (CSU's Security
    Director for ``security``), or the boxes carrying the role a tier acts in (CSU's Tier 3
    is worked by the Lead Technical Support)."""
    if not tier:
        return [b for b in chart.boxes.values() if b.unit == to]
    role = next((t.role for t in pack.tiers if t.code == to), None)
    return [b for b in chart.boxes.values() if role and b.role == role]


def escalation_landing(pack: Any, to: str, *, tier: bool) -> Landing | None:
    """Return the person an escalation to tier or unit ``to`` lands on through the chart:
    an available holder of the box it names, else (walking ``covered_by``) whoever covers
    that box. None when the chart names no box for ``to`` or nobody can take it, and the
    ticket waits unassigned in the queue as before."""
    chart = chart_for(pack)
    if chart is None:
        return None
    boxes = _escalation_boxes(pack, chart, to, tier=tier)
    for box in boxes:  # 1. someone holding the box itself
        if box.available:
            return Landing(agent=box.available[0], position=box.code)
    for box in boxes:  # 2. else whoever covers it, walking the cover chain
        seen = {box.code}
        cover = chart.boxes.get(box.covered_by or "")
        while cover is not None and cover.code not in seen:
            if cover.available:
                return Landing(agent=cover.available[0], position=cover.code,
                               covering=box.code)
            seen.add(cover.code)
            cover = chart.boxes.get(cover.covered_by or "")
    return None
