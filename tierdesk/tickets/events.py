"""One builder per audit event type, so every service records changes the same way."""

from typing import Any

from tierdesk.common import prepared
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
        gathering.events.append(event)
        return event
    return prepared.insert(event)


def created(ticket: Ticket, actor, at, **data: Any) -> TicketEvent:
    return record(ticket, TicketEventType.CREATED, actor, at, **data)


def field_changed(ticket: Ticket, actor, at, field: str, old: Any, new: Any, **extra: Any):
    """Record a field change with the event type that names it best."""
    type_ = {
        "priority": TicketEventType.PRIORITY_CHANGED,
        "status": TicketEventType.STATUS_CHANGED,
        "assignee": TicketEventType.ASSIGNED,
        "group": TicketEventType.ASSIGNED,
    }.get(field, TicketEventType.FIELD_CHANGED)
    return record(ticket, type_, actor, at, field=field, old=old, new=new, **extra)


def message_added(ticket: Ticket, actor, at, message_id: int, kind: str,
                  by: str) -> TicketEvent:
    """``by`` is "agent" or "customer": SLA clocks stop on one and start on the other."""
    type_ = TicketEventType.REPLIED if kind == "reply" else TicketEventType.NOTE_ADDED
    return record(ticket, type_, actor, at, message_id=message_id, by=by)
