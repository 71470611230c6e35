"""Where the pack's organisation chart and this instance disagree: the lines
`tierdesk policy check --instance` prints after its staffing warnings.

A chart box nobody holds sends notifications and escalations for its role back to
everyone holding the platform role (or nowhere); a holder acting in a role their account
lacks cannot do what the box is for; a placement in a box the pack no longer draws is
silently ignored. Each line starts with the path of the pack field it is about.
"""

from typing import Any

from tierdesk.org.models import Placement
from tierdesk.org.selectors import Box, Chart, chart_for


def _platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role


def _name(agent: Any) -> str:
    return agent.user.username


def _covered(chart: Chart, box: Box) -> bool:
    """Return whether someone available covers ``box`` through its ``covered_by`` chain."""
    seen = {box.code}
    cover = chart.boxes.get(box.covered_by or "")
    while cover is not None and cover.code not in seen:
        if cover.available:
            return True
        seen.add(cover.code)
        cover = chart.boxes.get(cover.covered_by or "")
    return False


def _box_warnings(pack: Any, chart: Chart, i: int, box: Box) -> list[str]:
    where = f"organisation.positions[{i}] ({box.code}, {box.name})"
    out = []
    if not box.holders:
        what = "nobody is placed in it" if box.kind in ("team", "working_group") else \
            "nobody on this instance holds it"
        cover = "; whoever covers it stands in" if _covered(chart, box) else ""
        out.append(f"{where}: {what}{cover}")
    elif not box.available and box.kind != "team":
        held = ", ".join(_name(a) for a in box.holders)
        cover = "whoever covers it stands in" if _covered(chart, box) else "nobody covers it"
        out.append(f"{where}: everyone holding it ({held}) is away or inactive; {cover}")
    if box.role:
        wanted = _platform_role(pack, box.role)
        for agent in box.holders:
            if agent.is_active and agent.role != wanted:
                out.append(f"{where}.role: {_name(agent)} holds it with role {agent.role}, "
                           f"but the position acts as {box.role}"
                           + (f" (based on {wanted})" if wanted != box.role else ""))
    if box.headcount is not None and box.kind != "contact":
        size = chart.team_size(box)
        if size != box.headcount:
            out.append(f"{where}.headcount: the handbook counts {box.headcount}, this "
                       f"instance places {size} in it and below it")
    return out


def chart_warnings(pack: Any) -> list[str]:
    """Return one line per mismatch between the pack's chart and who this instance places
    in it: boxes nobody holds, boxes whose holders are all away with no cover, holders in
    the wrong role, a headcount the handbook states and the instance does not match, and
    placements in positions the pack does not draw."""
    chart = chart_for(pack)
    placed = Placement.objects.select_related("agent__user").order_by("position", "id")
    if chart is None:
        count = placed.count()
        return ([f"organisation: the pack draws no chart, yet {count} placement(s) are kept"]
                if count else [])
    out = []
    for i, position in enumerate(pack.organisation.positions):
        out += _box_warnings(pack, chart, i, chart.boxes[position.code])
    declared = pack.organisation.headcount
    if declared is not None and len(chart.people()) != declared:
        out.append(f"organisation.headcount: the handbook counts {declared}, this instance "
                   f"places {len(chart.people())} in the department")
    for placement in placed.exclude(position__in=list(chart.boxes)):
        out.append(f"organisation.positions: {_name(placement.agent)} is placed in "
                   f"{placement.position!r}, a position the pack does not draw")
    return out
