"""The ticket index: what of a ticket is searchable, and by whom.

One document per ticket: its subject; its error code and tags; every public reply; every
internal note (an internal field: agents match it, customers never do). The ticket
services keep it in step inside their own transaction (``index_new_ticket`` on create,
``index_ticket`` after a message, a subject/tags/error-code change or a merge).

Why the write path and not database triggers: the words are folded in Python
(``search.text``: accents, Arabic spelling, codes) so that SQLite and PostgreSQL index
exactly the same words; a trigger would need that folding written twice in SQL, and
SQLite cannot run Python inside a trigger for other processes (the ``sqlite3`` shell,
a backup tool). Everything that adds a message or changes those fields goes through
``tickets.services``; ``tierdesk search rebuild`` repairs anything written behind it.
"""

import json
from typing import Any

from django.db import connection

from tierdesk.common import prepared
from tierdesk.search.indexes import Document, Field, SearchIndex, register
from tierdesk.search.services import index_documents
from tierdesk.tickets import batch
from tierdesk.tickets.models import Message, Ticket

TICKETS = SearchIndex("tickets", (
    Field("subject", 10.0),
    Field("codes", 8.0),  # error code and tags
    Field("public", 2.0),  # every public reply
    Field("internal", 1.0, internal=True),  # every internal note: agents only
))
# Changing one of these changes the document; other fields (status, queue) do not.
INDEXED_FIELDS = frozenset({"subject", "error_code", "tags"})


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):  # a JSON column read by raw SQL
        value = json.loads(value or "[]")
    return list(value or [])


def _document(pk: int, subject: str, error_code: str, tags: Any,
              messages: list[tuple[str, str]]) -> Document:
    public = [body for kind, body in messages if kind == Message.Kind.REPLY]
    internal = [body for kind, body in messages if kind != Message.Kind.REPLY]
    return pk, {
        "subject": subject,
        "codes": " ".join([error_code or "", *_tags(tags)]),
        "public": "\n".join(public),
        "internal": "\n".join(internal),
    }


def index_new_ticket(ticket: Ticket, body: str) -> None:
    """Index a ticket just created with its first public message (nothing to read back);
    inside a write batch, at its end, with the fields the rules left."""
    messages = [(Message.Kind.REPLY, body)]
    if not batch.index_later(ticket, messages):
        index_now([(ticket, messages)])


def index_ticket(ticket: Ticket, *, messages_changed: bool = True) -> None:
    """Re-index ``ticket`` (as it is in memory) with all its messages; inside a write
    batch, once at its end. ``messages_changed=False`` (a subject, tag or code change)
    keeps the messages a new ticket's document already holds in memory."""
    if not batch.index_later(ticket, None, keep_known=not messages_changed):
        index_now([(ticket, None)])


def index_now(tickets: list[tuple[Ticket, list[tuple[str, str]] | None]]) -> None:
    """Write the documents of ``tickets``; a None message list is read back in one query."""
    unknown = [t.pk for t, messages in tickets if messages is None]
    read: dict[int, list[tuple[str, str]]] = {}
    if unknown:
        for ticket_id, kind, body in prepared.fetch_all(
            f"SELECT ticket_id, kind, body_text FROM {_quote(Message._meta.db_table)}"
            f" WHERE ticket_id IN ({prepared.marks(unknown)}) ORDER BY id", unknown,
        ):
            read.setdefault(ticket_id, []).append((kind, body))
    index_documents(index=TICKETS, documents=[
        _document(t.pk, t.subject, t.error_code, t.tags,
                  messages if messages is not None else read.get(t.pk, []))
        for t, messages in tickets])


def ticket_documents(after_id: int, limit: int) -> list[Document]:
    """The next ``limit`` tickets' documents after ``after_id`` (for a rebuild). On
    PostgreSQL the tickets are share-locked, so a reply committing meanwhile waits and
    re-indexes after this page instead of being overwritten by it."""
    lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    tickets = prepared.fetch_all(
        f"SELECT id, subject, error_code, tags FROM {_quote(Ticket._meta.db_table)}"
        f" WHERE id > %s ORDER BY id LIMIT %s{lock}", [after_id, limit])
    if not tickets:
        return []
    messages: dict[int, list[tuple[str, str]]] = {}
    for ticket_id, kind, body in prepared.fetch_all(
        f"SELECT ticket_id, kind, body_text FROM {_quote(Message._meta.db_table)}"
        f" WHERE ticket_id >= %s AND ticket_id <= %s ORDER BY ticket_id, id",
        [tickets[0][0], tickets[-1][0]],
    ):
        messages.setdefault(ticket_id, []).append((kind, body))
    return [_document(pk, subject, code, tags, messages.get(pk, []))
            for pk, subject, code, tags in tickets]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


register(TICKETS, documents=ticket_documents)
