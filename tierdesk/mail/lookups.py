"""The intake's reads and its thread row, as prepared statements: every message runs them
inside its write transaction, where compiling the ORM's queries cost more than running
them (a new message took 21 statements, 8 of them these, before they were folded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection

from tierdesk.common import prepared
from tierdesk.customers.models import Contact
from tierdesk.mail.models import InboundMail, MailThreadId
from tierdesk.tickets.models import Ticket

State, Outcome = InboundMail.State, InboundMail.Outcome


@dataclass(frozen=True)
class Standing:
    """Where one stored message stands, read under its row lock."""

    state: str
    outcome: str
    ticket_id: int | None
    reason: str
    seen: bool  # its Message-ID is on a ticket already, or another copy was filed
    copies: bool  # other copies wait unfiled or failed: they become duplicates of this


@cache
def _standing_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    mail, threads = (q(m._meta.db_table) for m in (InboundMail, MailThreadId))
    lock = " FOR UPDATE OF m" if vendor == "postgresql" else ""
    # SQLite's planner, without statistics, picked the index on state for "a filed copy"
    # and walked every filed message; a unary plus keeps it on the Message-ID's index.
    state = "+o.state" if vendor == "sqlite" else "o.state"
    return (
        f"SELECT m.state, m.outcome, m.ticket_id, m.reason,"
        f" EXISTS (SELECT 1 FROM {threads} t WHERE t.message_id = %s AND t.inbound)"
        f" OR EXISTS (SELECT 1 FROM {mail} o WHERE o.message_id = %s AND {state} = %s"
        f"  AND o.id <> m.id AND o.outcome <> %s),"
        f" EXISTS (SELECT 1 FROM {mail} c WHERE c.message_id = %s AND c.state IN (%s, %s)"
        f"  AND c.id <> m.id)"
        f" FROM {mail} m WHERE m.id = %s{lock}")


def standing(inbound_id: int, message_id: str) -> Standing:
    """Lock the stored message's row for the transaction and say where it stands, in one
    statement: the stalled-mail recovery (tierdesk/mail/recovery.py) and the request
    still filing it never both do (the second waits, then finds it done)."""
    key = message_id or None  # no Message-ID: nothing to compare (NULL matches nothing)
    row = prepared.fetch_one(_standing_sql(connection.vendor), [
        key, key, State.DONE, Outcome.DUPLICATE, key, State.FAILED, State.RECEIVED,
        inbound_id])
    if row is None:
        raise InboundMail.DoesNotExist(f"inbound mail {inbound_id} is gone")
    state, outcome, ticket_id, reason, seen, copies = row
    return Standing(state, outcome, ticket_id, reason, bool(seen), bool(copies))


def contact_by_email(email: str) -> Contact | None:
    """The contact with this address, with their organisation."""
    return prepared.get_first(Contact, ("organisation",), email=email)


@cache
def _thread_sql(vendor: str, ids: int) -> tuple[str, prepared.Columns]:
    q = connection.ops.quote_name
    threads, tickets = (q(m._meta.db_table) for m in (MailThreadId, Ticket))
    cols = prepared.Columns(Ticket, "k")
    return (f"SELECT t.message_id, {cols.sql} FROM {threads} t"
            f" JOIN {tickets} k ON k.id = t.ticket_id"
            f" WHERE t.message_id IN ({', '.join(['%s'] * ids)})"), cols


def threaded_ticket(ids: list[str]) -> Ticket | None:
    """The ticket of the first of ``ids`` that names one (the In-Reply-To first, then the
    References from the newest)."""
    if not ids:
        return None
    sql, cols = _thread_sql(connection.vendor, len(ids))
    known = {row[0]: row for row in prepared.fetch_all(sql, ids)}
    for message_id in ids:
        if message_id in known:
            return cols.build(known[message_id], 1)
    return None


@cache
def _remember_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    return (f"INSERT INTO {q(MailThreadId._meta.db_table)} (message_id, ticket_id, inbound, at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (message_id) DO NOTHING")


def remember_thread(message_id: str, ticket_id: int, at: datetime) -> None:
    """File ``message_id`` under the ticket (a Message-ID already filed stays where it is)."""
    value = MailThreadId._meta.get_field("at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(_remember_sql(connection.vendor), [message_id, ticket_id, True, value])
