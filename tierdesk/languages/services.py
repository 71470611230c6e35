"""Route a ticket to an agent who speaks its language."""

from django.db.models import Count, Q

from tierdesk.languages.routing import speakers
from tierdesk.people.access import SYSTEM, Viewer
from tierdesk.people.models import Agent
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.statuses import UNRESOLVED


def speaker_for(ticket: Ticket) -> Agent | None:
    """Return the agent of the ticket's queue (any agent when it has none) who speaks its
    language and holds the fewest unresolved tickets; None when nobody does or the
    language is undetermined."""
    language = (ticket.language or "").lower()
    if language in ("", "und"):
        return None
    pool = Agent.objects.filter(groups=ticket.group) if ticket.group_id else Agent.objects.all()
    return (speakers(language=language, agents=pool)
            .annotate(load=Count("tickets", filter=Q(tickets__status__in=UNRESOLVED)))
            .order_by("load", "user__username").first())


def route_by_language(*, ticket: Ticket, viewer: Viewer = SYSTEM) -> Agent | None:
    """Assign an unassigned ticket to a speaker of its language (see ``speaker_for``);
    return who got it. A ticket already assigned (a rule sent it on call) stays put.
    Runs inside the intake's transaction (a chat, a Slack thread, a social post)."""
    if ticket.assignee_id is not None:
        return None
    agent = speaker_for(ticket)
    if agent is None:
        return None
    changes = {"assignee": agent}
    if ticket.group_id is not None and not agent.groups.filter(pk=ticket.group_id).exists():
        return None
    tickets.update(ticket=ticket, viewer=viewer, changes=changes,
                   reason=f"speaks {ticket.language}")
    return agent
