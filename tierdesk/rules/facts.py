"""The facts a rule's conditions test, measured from one ticket at one instant."""

from datetime import datetime, timedelta
from typing import Any

from tierdesk.sla.services import ticket_facts
from tierdesk.tickets.models import Ticket


def rule_facts(ticket: Ticket, now: datetime, calendar: Any = None) -> dict[str, Any]:
    """Return the ticket's facts; durations are business time when ``calendar`` is given."""
    facts = ticket_facts(ticket)
    facts["classified_by"] = ticket.classified_by or None
    facts["subject"] = ticket.subject

    def since(anchor: datetime | None) -> timedelta | None:
        if anchor is None:
            return None
        if calendar is None:
            return now - anchor
        return timedelta(seconds=calendar.between_epoch(anchor.timestamp(), now.timestamp()))

    facts["since_created"] = since(ticket.created_at)
    facts["since_updated"] = since(ticket.updated_at)
    facts["since_closed"] = since(ticket.closed_at or ticket.solved_at)
    if calendar is not None:
        facts["business_hours"] = calendar.is_business_epoch(now.timestamp())
    return facts


TIME_FACTS = {"since_created": "created_at", "since_updated": "updated_at",
              "since_closed": "closed_at"}


def thresholds(rule: Any, ticket: Ticket, calendar: Any) -> list[datetime]:
    """Return the instants at which the rule's time conditions (``gte``/``gt``) come true."""
    out: list[datetime] = []
    for fact, field in TIME_FACTS.items():
        cond = getattr(rule.when, fact, None)
        bound = None if cond is None else (cond.gte if cond.gte is not None else cond.gt)
        anchor = getattr(ticket, field, None) or (ticket.solved_at if fact == "since_closed"
                                                  else None)
        if bound is None or anchor is None:
            continue
        if calendar is None:
            out.append(anchor + timedelta(minutes=bound))
        else:
            epoch = calendar.add_epoch(anchor.timestamp(), bound * 60)
            out.append(datetime.fromtimestamp(epoch, anchor.tzinfo))
    return out
