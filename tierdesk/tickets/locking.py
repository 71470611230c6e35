"""A ticket re-read under its row lock before every change, as one prepared statement:
each reply, update and note runs it inside its write transaction, where compiling the
ORM's ``select_for_update().select_related()`` cost more than running it."""

from functools import cache

from django.db import connection

from tierdesk.common import prepared
from tierdesk.tickets import batch
from tierdesk.tickets.models import Ticket

# the requester and organisation come along: every change reads them (SLA facts, rules)
_JOINED = ("requester", "organisation")


def locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock, in place, so concurrent changes queue rather
    than interleave and every holder of this object (a rules cascade) sees the change.
    A ticket its write batch already holds (created or locked in this transaction) is
    the truth as it is."""
    if batch.holds(ticket):
        return ticket
    if batch.holds_other(ticket):
        batch.flush()  # another copy's changes are not written yet: write them, then read
    if ticket.get_deferred_fields():
        ticket.refresh_from_db(from_queryset=Ticket.objects.select_for_update(of=("self",))
                               .select_related(*_JOINED))
    else:
        _reread(ticket)
    batch.hold(ticket)
    return ticket


@cache
def _statement(vendor: str) -> prepared.JoinedGet:
    get = prepared.JoinedGet(Ticket, _JOINED, ("id",))
    if vendor == "postgresql":
        get.sql += " FOR UPDATE OF t0"
    return get


def _reread(ticket: Ticket) -> None:
    """What ``refresh_from_db`` does with that queryset: every column set again, the two
    joined rows cached, every other cached relation dropped."""
    get = _statement(connection.vendor)
    row = prepared.fetch_one(get.sql, [ticket.pk])
    if row is None:
        raise Ticket.DoesNotExist(f"ticket {ticket.pk} does not exist")
    for attname, value in zip(get.base.attnames, get.base.values(row), strict=True):
        setattr(ticket, attname, value)
    start = get.base.width
    joined = set()
    for field, cols in get.joins:
        field.set_cached_value(ticket, cols.build(row, start))
        joined.add(field.name)
        start += cols.width
    opts = Ticket._meta
    for field in opts.concrete_fields:
        if field.is_relation and field.name not in joined and field.is_cached(ticket):
            field.delete_cached_value(ticket)
    for rel in opts.related_objects:
        if rel.is_cached(ticket):
            rel.delete_cached_value(ticket)
    for field in opts.private_fields:
        if field.is_relation and field.is_cached(ticket):
            field.delete_cached_value(ticket)
    ticket._state.db = "default"
    ticket._state.adding = False
