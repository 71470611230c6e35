"""Write a ticket change's rows together at the end of its transaction.

A new ticket on the DataFlow pack records eight audit events, four outbox messages, two
SLA clocks and three ticket changes while its classification, SLA and rules cascade run:
one ``INSERT``/``UPDATE`` each cost as much CPU in the ORM and as much time holding
SQLite's single writer as the rest of the request. Inside ``writing()``:

* ``events.record`` gathers events; they are written in one bulk insert, in the order
  recorded, before anything reads events back (``flush_events``) and at the end;
* a ticket the batch holds (created or row-locked in it) is not re-read by ``locked()``
  (it is already the truth) and its changed fields are saved in one ``UPDATE`` at the end;
* outbox messages are gathered by ``outbox.collect()`` and written in one insert.

Only the caller's transaction holds the batch: whatever it writes commits or rolls back
together, exactly as before.
"""

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tierdesk.common import prepared
from tierdesk.outbox import services as outbox
from tierdesk.tickets.models import Ticket, TicketEvent

T = TypeVar("T")


class Batch:
    def __init__(self) -> None:
        self.events: list[TicketEvent] = []
        # The newest event of each (ticket, type) recorded in this batch, written or not:
        # newer than anything the database held before the transaction.
        self.latest: dict[tuple[int, str], TicketEvent] = {}
        self.held: dict[int, Ticket] = {}
        self.dirty: dict[int, set[str]] = {}
        self.memo: dict[Any, Any] = {}  # lookups that hold for the whole transaction
        self.rows: list[Any] = []  # new rows nothing reads back before the end
        self.late_ids: list[tuple[TicketEvent, str, Any]] = []  # event data awaiting a row id
        self.fresh: set[int] = set()  # tickets created in this batch (nothing written before)
        # Search documents to write at the end: a ticket and its messages when known in
        # memory (a new ticket's first one), None to read them back then.
        self.search: dict[int, tuple[Ticket, list[tuple[str, str]] | None]] = {}

    def gather(self, event: TicketEvent) -> None:
        self.events.append(event)
        self.latest[(event.ticket_id, event.type)] = event

    def flush_events(self) -> None:
        by_model: dict[type, list[Any]] = {}
        for row in self.rows:
            by_model.setdefault(type(row), []).append(row)
        self.rows = []
        for rows in by_model.values():
            prepared.insert_many(rows)
        for event, key, row in self.late_ids:
            event.data[key] = row.pk
        self.late_ids = []
        if self.events:
            pending, self.events = self.events, []
            prepared.insert_many(pending)

    def flush(self) -> None:
        self.flush_events()
        by_fields: dict[tuple[str, ...], list[Ticket]] = {}
        for pk, fields in self.dirty.items():
            if fields:
                by_fields.setdefault(tuple(sorted(fields)), []).append(self.held[pk])
        self.dirty.clear()
        for fields, tickets in by_fields.items():
            prepared.update_many(tickets, fields)
        if self.search:
            from tierdesk.tickets import search

            pending, self.search = self.search, {}
            search.index_now(list(pending.values()))


_current: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("ticket_batch",
                                                                       default=None)


def current() -> Batch | None:
    return _current.get()


@contextmanager
def writing() -> Iterator[Batch]:
    """Gather the writes of the block (inside the caller's transaction) and write them at
    its end; a nested ``writing()`` joins the outer batch."""
    if _current.get() is not None:
        yield _current.get()
        return
    batch = Batch()
    token = _current.set(batch)
    try:
        with outbox.collect():
            yield batch
            batch.flush()
    finally:
        _current.reset(token)


def writes(func: Callable[..., T]) -> Callable[..., T]:
    """Run ``func`` inside ``writing()``: a reply, note or change gathers its rows and
    writes them together at its end (joining the caller's batch when one is open)."""
    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> T:
        with writing():
            return func(*args, **kwargs)

    return inner


def hold(ticket: Ticket, *, created: bool = False) -> None:
    """Mark ``ticket`` as held by the batch: created or locked in its transaction."""
    batch = _current.get()
    if batch is not None and ticket.pk is not None:
        batch.held[ticket.pk] = ticket
        batch.dirty.setdefault(ticket.pk, set())
        if created:
            batch.fresh.add(ticket.pk)


def created_here(ticket: Ticket) -> bool:
    """True when ``ticket`` was created in the open batch: none of its events or rows
    were written before it, so a reader may skip the query for them."""
    batch = _current.get()
    return batch is not None and ticket.pk in batch.fresh


def holds(ticket: Ticket) -> bool:
    batch = _current.get()
    return batch is not None and batch.held.get(ticket.pk) is ticket


def holds_other(ticket: Ticket) -> bool:
    """True when the batch holds another copy of ``ticket`` (its changes not written)."""
    batch = _current.get()
    return batch is not None and ticket.pk in batch.held and batch.held[ticket.pk] is not ticket


def flush() -> None:
    """Write everything gathered so far (the batch stays open)."""
    batch = _current.get()
    if batch is not None:
        batch.flush()


def save_fields(ticket: Ticket, fields: list[str]) -> None:
    """``ticket.save(update_fields=fields)``, deferred to the end of the batch when it
    holds the ticket."""
    if not fields:
        return
    batch = _current.get()
    if batch is not None and batch.held.get(ticket.pk) is ticket:
        batch.dirty[ticket.pk].update(fields)
        return
    ticket.save(update_fields=fields)


def insert_later(rows: list[Any]) -> None:
    """Insert ``rows`` with the batch (nothing in it may read them back), else now."""
    batch = _current.get()
    if batch is not None:
        batch.rows += rows
    else:
        prepared.insert_many(rows)


def insert_with_event(row: Any, event: TicketEvent, key: str) -> None:
    """Insert ``row`` with the open batch and put its id in ``event.data[key]`` before the
    (gathered) event is written."""
    batch = _current.get()
    batch.rows.append(row)
    batch.late_ids.append((event, key, row))


def flush_events() -> None:
    """Write gathered events now (before a query reads a ticket's events back)."""
    batch = _current.get()
    if batch is not None:
        batch.flush_events()


def index_later(ticket: Ticket, messages: list[tuple[str, str]] | None, *,
                keep_known: bool = False) -> bool:
    """Write ``ticket``'s search document once, at the end of the batch (a rule that tags
    a new ticket would otherwise index it twice); False outside a batch. ``messages``
    are its (kind, body) pairs when known in memory, None to read them back then;
    ``keep_known`` keeps pairs already given (no message was added since)."""
    batch = _current.get()
    if batch is None:
        return False
    known = batch.search.get(ticket.pk)
    if messages is None and keep_known and known is not None:
        messages = known[1]
    batch.search[ticket.pk] = (ticket, messages)
    return True


def memo() -> dict[Any, Any]:
    """A dict for lookups valid for the rest of this batch (a fresh one outside a batch)."""
    batch = _current.get()
    return batch.memo if batch is not None else {}


def gathered_event(ticket: Ticket, type: str) -> TicketEvent | None:
    """The latest event of ``type`` the open batch has recorded for ``ticket``, written
    yet or not (None if none): lets a reader that only needs that event skip the flush
    and the query that reading it back would cost."""
    batch = _current.get()
    if batch is None:
        return None
    return batch.latest.get((ticket.pk, type))
