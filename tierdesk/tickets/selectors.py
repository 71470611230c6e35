"""Reads of tickets, always through the viewer's authorization scope.

An agent sees its groups' queues, what is assigned to it, and the unrouted triage inbox
(tickets with no group yet); managers see all; a customer sees its organisation's.
"""

from django.db.models import Q, QuerySet

from tierdesk.common.errors import NotFound
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.tickets.models import Message, Ticket, TicketEvent

LIST_RELATED = ("requester", "organisation", "group", "tier", "assignee__user")


def tickets_visible_to(viewer: Viewer) -> QuerySet[Ticket]:
    """Return the tickets ``viewer`` may see; nothing for a user who is neither side."""
    qs = Ticket.objects.all()
    if viewer.is_manager:
        return qs
    if viewer.is_agent:
        # Unrouted tickets (no group yet) are everyone's triage inbox.
        return qs.filter(
            Q(group_id__in=agent_group_ids(viewer.agent))
            | Q(group__isnull=True)
            | Q(assignee=viewer.agent)
        )
    if viewer.is_customer and viewer.organisation_id is not None:
        return qs.filter(organisation_id=viewer.organisation_id)
    if viewer.is_customer:
        return qs.filter(requester=viewer.contact)
    return qs.none()


def ticket_get(*, viewer: Viewer, ticket_id: int) -> Ticket:
    """Return the ticket, or NotFound when it does not exist *or* is not the viewer's.

    Both cases answer the same so that ids of other organisations' tickets leak nothing.
    """
    ticket = tickets_visible_to(viewer).select_related(*LIST_RELATED).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found", field="ticket_id")
    return ticket


def ticket_list(
    *, viewer: Viewer, filters: dict, after_id: int | None, limit: int
) -> list[Ticket]:
    """Return one page (newest first, keyset on id) in a constant number of queries."""
    qs = tickets_visible_to(viewer).select_related(*LIST_RELATED)
    for field in ("status", "priority", "channel", "category", "error_code", "language"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    for field in ("group_id", "assignee_id", "organisation_id", "requester_id"):
        if filters.get(field) is not None:
            qs = qs.filter(**{field: filters[field]})
    if filters.get("tag"):
        # Tags are stored as a JSON list of slugs; the quoted slug matches exactly one tag.
        qs = qs.filter(tags__icontains=f'"{filters["tag"]}"')
    if filters.get("q"):
        qs = qs.filter(subject__icontains=filters["q"])
    if after_id is not None:
        qs = qs.filter(pk__lt=after_id)
    return list(qs.order_by("-id")[:limit])


def ticket_messages(*, viewer: Viewer, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.prefetch_related("attachments").order_by("id")
    if not viewer.is_agent:
        qs = qs.filter(kind=Message.Kind.REPLY)
    return qs


def ticket_events(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("id")
