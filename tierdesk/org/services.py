"""Place agents in the organisation chart, take them out, mark them away.

A holder of a unit's contact box (CSU's Security Director) joins that unit's queue, so
escalations to the unit (``staffed_queue``) and ``notify: {unit: ...}`` reach them the
same way they reach the unit's other members; leaving the box leaves the queue.
"""

from typing import Any

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, NotFound, ServiceError
from tierdesk.org.models import Placement
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Group


def _position(pack: Any, code: str) -> Any:
    org = getattr(pack, "organisation", None) if pack is not None else None
    if org is None:
        raise ServiceError("the active pack draws no organisation chart", field="position")
    for position in org.positions:
        if position.code == code:
            return position
    valid = ", ".join(p.code for p in org.positions)
    raise NotFound(f"unknown position {code!r}; valid: {valid}", field="position")


def _require_manager(viewer: Viewer) -> None:
    from tierdesk.common.errors import Forbidden

    if not viewer.is_manager:
        raise Forbidden("only support managers, directors and administrators change the chart")


@transaction.atomic(durable=True)
def placement_add(*, viewer: Viewer, pack: Any, agent: Agent, position: str,
                  away: bool = False) -> Placement:
    """Put ``agent`` in ``position`` (a box of the active pack's chart)."""
    _require_manager(viewer)
    box = _position(pack, position)
    if Placement.objects.filter(agent=agent, position=position).exists():
        raise Conflict(f"{agent} already holds {box.name}", field="agent_id")
    placement = Placement.objects.create(agent=agent, position=position, away=away,
                                         since=clock.now())
    if box.unit:
        group = Group.objects.filter(code=box.unit).first()
        if group is not None:
            agent.groups.add(group)
    return placement


@transaction.atomic(durable=True)
def placement_update(*, viewer: Viewer, placement: Placement, away: bool) -> Placement:
    _require_manager(viewer)
    placement.away = away
    placement.save(update_fields=["away"])
    return placement


@transaction.atomic(durable=True)
def placement_remove(*, viewer: Viewer, pack: Any, placement: Placement) -> None:
    _require_manager(viewer)
    org = getattr(pack, "organisation", None)
    unit = next((p.unit for p in (org.positions if org else []) if p.code == placement.position),
                None)
    if unit:
        group = Group.objects.filter(code=unit).first()
        if group is not None:
            placement.agent.groups.remove(group)
    placement.delete()
