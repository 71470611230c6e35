"""Agents following tickets: what they follow stays visible to them wherever it is routed."""

from datetime import datetime

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket, TicketFollower


def follow(*, ticket: Ticket, viewer: Viewer, at: datetime) -> bool:
    """Make an agent follow ``ticket`` inside the caller's transaction; True if new."""
    if viewer.user is None or not viewer.is_agent:
        return False
    _, made = TicketFollower.objects.get_or_create(ticket=ticket, user=viewer.user,
                                                   defaults={"since": at})
    return made


@transaction.atomic(durable=True)
def ticket_follow(*, ticket: Ticket, viewer: Viewer) -> None:
    """Keep the ticket in sight (agents)."""
    if not viewer.is_agent:
        raise Forbidden("only agents may follow tickets")
    now = clock.now()
    if follow(ticket=ticket, viewer=viewer, at=now):
        events.record(ticket, "followed", viewer.user, now)


@transaction.atomic(durable=True)
def ticket_unfollow(*, ticket: Ticket, viewer: Viewer) -> None:
    if not viewer.is_agent:
        raise Forbidden("only agents may follow tickets")
    if TicketFollower.objects.filter(ticket=ticket, user=viewer.user).delete()[0]:
        events.record(ticket, "unfollowed", viewer.user, clock.now())
