"""Reads of tickets, always through the viewer's authorization scope.

An agent sees its groups' queues, what is assigned to it, and the unrouted triage inbox
(tickets with no group yet); managers see all; a customer sees its organisation's.
"""

from django.db.models import Q, QuerySet

from tierdesk.common.errors import NotFound
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Agent, Group, Tier
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


# The columns of a list row: read as plain values, not model instances, because building
# 50 tickets x 6 related models was most of a page's CPU (profiled on 100,000 tickets).
# Only the requester and organisation are joined: a 7-table join cost PostgreSQL ~10 ms
# of planning per page; the small tables (queues, tiers, agents) are read by id instead.
ROW_FIELDS = (
    "id", "subject", "status", "priority", "channel", "category", "error_code", "language",
    "tags", "custom_fields", "merged_into_id", "created_at", "updated_at",
    "first_responded_at", "solved_at", "closed_at",
    "requester_id", "requester__name", "requester__email",
    "organisation_id", "organisation__name", "organisation__external_id",
    "group_id", "tier_id", "assignee_id",
)


def _rows(values: list[dict]) -> list[dict]:
    """Return values() rows in the shape of ``TicketOut`` (three small lookups by id)."""
    def ids(key: str) -> set[int]:
        return {v[key] for v in values if v[key] is not None}

    groups = dict(Group.objects.filter(pk__in=ids("group_id")).values_list("id", "name"))
    tiers = dict(Tier.objects.filter(pk__in=ids("tier_id")).values_list("id", "code"))
    agents = {
        a["id"]: f"{a['user__first_name']} {a['user__last_name']}".strip()
        or a["user__username"]
        for a in Agent.objects.filter(pk__in=ids("assignee_id")).values(
            "id", "user__first_name", "user__last_name", "user__username")
    }
    return [{
        **{k: v[k] for k in ROW_FIELDS[:16]},
        "requester": {"id": v["requester_id"], "name": v["requester__name"],
                      "email": v["requester__email"]},
        "organisation": None if v["organisation_id"] is None else {
            "id": v["organisation_id"], "name": v["organisation__name"],
            "external_id": v["organisation__external_id"]},
        "group": None if v["group_id"] is None else {"id": v["group_id"],
                                                     "name": groups[v["group_id"]]},
        "assignee": None if v["assignee_id"] is None else {"id": v["assignee_id"],
                                                           "name": agents[v["assignee_id"]]},
        "tier": tiers.get(v["tier_id"]),
    } for v in values]


def ticket_list(
    *, viewer: Viewer, filters: dict, after_id: int | None, limit: int
) -> list[dict]:
    """Return one page (newest first, keyset on id) in one query, rows shaped as TicketOut."""
    qs = tickets_visible_to(viewer)
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
    return _rows(list(qs.order_by("-id").values(*ROW_FIELDS)[:limit]))


def ticket_messages(*, viewer: Viewer, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.prefetch_related("attachments").order_by("id")
    if not viewer.is_agent:
        qs = qs.filter(kind=Message.Kind.REPLY)
    return qs


def ticket_events(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("id")
