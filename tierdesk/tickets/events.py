"""One builder per audit event type, so every service records changes the same way.

The audit log speaks the handbook's language: tiers, groups and agents by their codes and
names, priorities by code and the pack's name for them (``{"field": "tier", "old": null,
"new": "L2", "new_name": "Specialists", "new_id": 2}``); raw ids ride along so a report
can still join on them.
"""

from typing import Any

from tierdesk.common import prepared
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.tickets import batch
from tierdesk.tickets.models import Ticket, TicketEvent, TicketEventType


def _json(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value


def record(ticket: Ticket, type: str, actor, at, **data: Any) -> TicketEvent:
    """Write the event now, or with its batch (``tickets.batch.writing``) if one is open:
    then it has no id until the batch writes it."""
    event = TicketEvent(ticket=ticket, type=type, actor=actor, created_at=at,
                        data={k: _json(v) for k, v in data.items()})
    gathering = batch.current()
    if gathering is not None:
        gathering.gather(event)
        return event
    return prepared.insert(event)


def priority_name(code: str | None, pack: Any = None) -> str | None:
    """Return the active pack's name for priority ``code`` (None if it names none)."""
    if not code:
        return None
    if pack is None:
        from tierdesk.packs.selectors import active_pack

        pack = active_pack()
    for priority in getattr(pack, "priorities", None) or ():
        if priority.code == code:
            return priority.name
    return None


def tier_name(code: str | None, pack: Any = None) -> str | None:
    """Return the active pack's name for tier or unit ``code`` (None if it names none)."""
    if not code:
        return None
    if pack is None:
        from tierdesk.packs.selectors import active_pack

        pack = active_pack()
    for item in [*(getattr(pack, "tiers", None) or ()), *(getattr(pack, "units", None) or ())]:
        if item.code == code:
            return item.name
    return None


def named(value: Any) -> tuple[Any, str | None, int | None]:
    """Return ``(code, name, id)`` of a tier, group or agent as people call it."""
    if isinstance(value, Tier):
        return value.code, value.name, value.pk
    if isinstance(value, Group):
        return value.code or value.name, value.name, value.pk
    if isinstance(value, Agent):
        user = value.user
        return user.username, user.get_full_name() or user.username, value.pk
    if isinstance(value, Ticket):
        return value.pk, None, None
    return value, None, None


def created(ticket: Ticket, actor, at, **data: Any) -> TicketEvent:
    return record(ticket, TicketEventType.CREATED, actor, at, **data)


def field_changed(ticket: Ticket, actor, at, field: str, old: Any, new: Any, **extra: Any):
    """Record a field change with the event type that names it best; tiers, groups and
    agents by code and name (and id), priorities by code and the pack's name."""
    type_ = {
        "priority": TicketEventType.PRIORITY_CHANGED,
        "status": TicketEventType.STATUS_CHANGED,
        "assignee": TicketEventType.ASSIGNED,
        "group": TicketEventType.ASSIGNED,
    }.get(field, TicketEventType.FIELD_CHANGED)
    data: dict[str, Any] = {"field": field}
    for side, value in (("old", old), ("new", new)):
        code, name, pk = named(value)
        data[side] = code
        if field == "priority":
            name = priority_name(code)
        if name is not None:
            data[f"{side}_name"] = name
        if pk is not None:
            data[f"{side}_id"] = pk
    return record(ticket, type_, actor, at, **data, **extra)


def message_added(ticket: Ticket, actor, at, message_id: int, kind: str,
                  by: str) -> TicketEvent:
    """``by`` is "agent" or "customer": SLA clocks stop on one and start on the other."""
    type_ = TicketEventType.REPLIED if kind == "reply" else TicketEventType.NOTE_ADDED
    return record(ticket, type_, actor, at, message_id=message_id, by=by)
