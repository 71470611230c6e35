"""Reads of the workspace's own state: who else has a ticket open, an agent's filters."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from tierdesk.people.access import Viewer
from tierdesk.tickets.models import Ticket
from tierdesk.workspace.models import SavedFilter, TicketPresence

# A page sends a heartbeat every PRESENCE_POLL seconds; two missed beats and it is gone.
PRESENCE_POLL_SECONDS = 15
PRESENCE_TTL = timedelta(seconds=40)


def others_on_ticket(*, ticket: Ticket, viewer: Viewer, now: datetime) -> list[TicketPresence]:
    """Return the other agents whose heartbeat on ``ticket`` is fresh, replying first."""
    rows = (TicketPresence.objects.filter(ticket=ticket, last_seen__gte=now - PRESENCE_TTL)
            .exclude(user=viewer.user).select_related("user")
            .order_by("-state", "user__username"))  # "viewing" < "replying"
    return list(rows)


def saved_filters(*, viewer: Viewer) -> QuerySet[SavedFilter]:
    if viewer.agent is None:
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(agent=viewer.agent).select_related("group")
