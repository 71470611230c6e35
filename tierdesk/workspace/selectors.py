"""Reads of the workspace's own state: who else has a ticket open, an agent's filters."""

from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from tierdesk.common import prepared
from tierdesk.people.access import Viewer
from tierdesk.tickets.models import Ticket
from tierdesk.workspace.models import SavedFilter, TicketPresence

# A page sends a heartbeat every PRESENCE_POLL seconds; two missed beats and it is gone.
PRESENCE_POLL_SECONDS = 15
PRESENCE_TTL = timedelta(seconds=40)


def others_on_ticket(*, ticket: Ticket, viewer: Viewer, now: datetime) -> list[TicketPresence]:
    """Return the other agents whose heartbeat on ``ticket`` is fresh, replying first.

    A prepared statement (``common.prepared``): it runs on every ticket page and every
    heartbeat, and compiling the ORM's query cost more than running it."""
    sql, presence, user = _presence_statement(connection.vendor)
    since = connection.ops.adapt_datetimefield_value(now - PRESENCE_TTL)
    others = []
    for row in prepared.fetch_all(sql, [ticket.pk, since, viewer.user.pk]):
        heartbeat = presence.build(row)
        TicketPresence._meta.get_field("user").set_cached_value(
            heartbeat, user.build(row, presence.width))
        others.append(heartbeat)
    return others


@cache
def _presence_statement(vendor: str) -> tuple[str, prepared.Columns, prepared.Columns]:
    quote = connection.ops.quote_name
    users = get_user_model()._meta
    presence = prepared.Columns(TicketPresence, "p")
    user = prepared.Columns(get_user_model(), "u")
    sql = (f"SELECT {presence.sql}, {user.sql} FROM {quote(TicketPresence._meta.db_table)} p"
           f" INNER JOIN {quote(users.db_table)} u"
           f" ON u.{quote(users.pk.column)} = p.{quote('user_id')}"
           f" WHERE p.{quote('ticket_id')} = %s AND p.{quote('last_seen')} >= %s"
           f" AND p.{quote('user_id')} <> %s"
           # "viewing" < "replying": replying first, then by username
           f" ORDER BY p.{quote('state')} DESC, u.{quote('username')} ASC")
    return sql, presence, user


def saved_filters(*, viewer: Viewer) -> QuerySet[SavedFilter]:
    if viewer.agent is None:
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(agent=viewer.agent).select_related("group")
