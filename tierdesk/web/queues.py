"""Reads behind the workspace and the SLA board: the viewer's open tickets, cut into views,
sorted by their next SLA due time, and counted.

Every read starts from ``tickets_visible_to(viewer)``, so a page can never show more than
the API would.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from tierdesk.common import prepared
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Agent, Group
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import tickets_visible_to, visible_sql
from tierdesk.tickets.statuses import UNRESOLVED
from tierdesk.web.badges import decorate_rows

SOON = timedelta(hours=1)
RUNNING = SlaTarget.State.RUNNING
PAGE_SIZE = 50  # rows per view page: rendering them is most of the page's CPU

# (slug, label) in the order the sidebar lists them.
VIEWS = [
    ("open", _("All open")),
    ("mine", _("My tickets")),
    ("unassigned", _("Unassigned")),
    ("soon", _("Breaching soon")),
    ("breached", _("Breached")),
]
SORTS = {
    "due": (F("next_due").asc(nulls_last=True), "-id"),
    "priority": ("priority", F("next_due").asc(nulls_last=True), "-id"),
    "newest": ("-id",),
    "updated": ("-updated_at", "-id"),
}


def _clock(**filters) -> QuerySet[SlaTarget]:
    return SlaTarget.objects.filter(ticket=OuterRef("pk"), **filters)


def _clock_tickets(now: datetime, *parts: str) -> RawSQL:
    """Ticket ids of the SLA clocks in the named ``parts`` (see ``_PARTS``), as one
    non-correlated subquery: a UNION ALL of range reads on the clocks' small partial
    indexes, run once per query. It replaces an EXISTS per ticket (most of the page's
    time at 100,000 tickets), and the UNION keeps each branch on its own index where an
    OR would scan every clock."""
    table = connection.ops.quote_name(SlaTarget._meta.db_table)
    sql, params = [], []
    for part in parts:
        where, needs_now = _PARTS[part]
        sql.append(f"SELECT ticket_id FROM {table} WHERE {where}")
        params += [connection.ops.adapt_datetimefield_value(now + SOON if n == "soon" else now)
                   for n in needs_now]
    return RawSQL(" UNION ALL ".join(sql), params)


# name -> (WHERE clause, the parameters it takes: "now" or "soon" = now + SOON). Each
# matches the condition of a partial index of SlaTarget exactly, so the index is used.
_PARTS = {
    # breached and not met since, whatever the clock's state now
    "breached": ("breached_at IS NOT NULL AND met_at IS NULL", ()),
    # ran out, the sweep has not noticed yet
    "overdue": ("state = 'running' AND breached_at IS NULL AND due_at <= %s", ("now",)),
    # due within the hour
    "due_soon": ("state = 'running' AND breached_at IS NULL AND due_at > %s AND due_at <= %s",
                 ("now", "soon")),
    # warned (amber) and still in time
    "warned": ("state = 'running' AND warned_at IS NOT NULL AND breached_at IS NULL"
               " AND due_at > %s", ("now",)),
}


def breached_q(now: datetime) -> Q:
    """A clock ran out and has not been met since (also before the sweep has noticed)."""
    return Q(pk__in=_clock_tickets(now, "breached", "overdue"))


def soon_q(now: datetime) -> Q:
    """A running clock is still in time but warned (amber) or due within the hour."""
    return Q(pk__in=_clock_tickets(now, "due_soon", "warned"))


def view_q(view: str, viewer: Viewer, now: datetime) -> Q:
    if view == "mine":
        return Q(assignee=viewer.agent) if viewer.agent else Q(pk__in=[])
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "soon":
        return soon_q(now) & ~breached_q(now)
    if view == "breached":
        return breached_q(now)
    return Q()


def open_tickets(viewer: Viewer) -> QuerySet[Ticket]:
    return tickets_visible_to(viewer).filter(status__in=UNRESOLVED)


def groups_of(viewer: Viewer) -> QuerySet[Group]:
    """The queues the viewer may open: its groups (managers: every group)."""
    if viewer.is_manager:
        return Group.objects.all()
    return Group.objects.filter(pk__in=agent_group_ids(viewer.agent))


@dataclass(frozen=True)
class QueueQuery:
    view: str = "open"
    group: Group | None = None
    priority: str = ""
    sort: str = "due"


# Hot reads as hand-built statements (issue 11, PostgreSQL): the ORM spent more CPU
# compiling the queue's queries than the database spent answering them, and each extra
# round trip re-read the same clocks. Conditions on the clocks repeat their partial
# indexes' conditions word for word (``_PARTS``), so SQLite uses them too; the clocks
# are the left side of a CROSS JOIN, which SQLite keeps as the outer loop (a plan led
# by the tickets' status index would read every open ticket).
_SLA = connection.ops.quote_name(SlaTarget._meta.db_table)
_TICKETS = connection.ops.quote_name(Ticket._meta.db_table)


@cache
def _due_column() -> prepared.Columns:
    """Turns a raw ``due_at`` value into the ORM's datetime (SQLite returns text)."""
    return prepared.Columns(SlaTarget, "s", names=("due_at",))


def _due(value) -> datetime | None:
    return None if value is None else _due_column().values((value,))[0]


def _in_view_sql(viewer: Viewer, query: QueueQuery) -> tuple[str, list] | None:
    """The viewer's open tickets in ``query``'s view, queue and priority as a condition
    on ``t``; only for the views that need no clock (``WALKED``)."""
    scope = visible_sql(viewer)
    if scope is None:
        return None
    statuses = sorted(UNRESOLVED)
    where = [f"t.{_col('status')} IN ({prepared.marks(statuses)})"]
    params: list = list(statuses)
    if scope[0]:
        where.append(scope[0])
        params += scope[1]
    if query.view == "unassigned":
        where.append(f"t.{_col('assignee')} IS NULL")
    if query.group is not None:
        where.append(f"t.{_col('group')} = %s")
        params.append(query.group.pk)
    if query.priority:
        where.append(f"t.{_col('priority')} = %s")
        params.append(query.priority)
    return " AND ".join(where), params


def _col(name: str) -> str:
    return connection.ops.quote_name(Ticket._meta.get_field(name).column)


class TroubleRow(NamedTuple):
    """A named tuple, not a frozen dataclass: a board reads a thousand of them, and a
    frozen dataclass's ``__init__`` cost 4.5 ms of that page's CPU."""

    id: int
    breached: bool  # else breaching soon
    group_id: int | None
    priority: str


def trouble_rows(*, viewer: Viewer, now: datetime) -> list[TroubleRow]:
    """The viewer's open tickets that are breached or breaching soon (and not breached),
    in one statement: the clocks in trouble from their small partial indexes (a UNION
    ALL, one row per ticket), then those tickets by primary key, kept if open and in
    scope. The cost follows the trouble set, not the queue."""
    scope = visible_sql(viewer)
    if scope is None:
        return []
    parts, params = [], []
    for part, (where, needs_now) in _PARTS.items():
        flag = 1 if part in ("breached", "overdue") else 0
        parts.append(f"SELECT ticket_id, {flag} AS b FROM {_SLA} WHERE {where}")
        params += [connection.ops.adapt_datetimefield_value(
            now + SOON if n == "soon" else now) for n in needs_now]
    statuses = sorted(UNRESOLVED)
    sql = (f"SELECT t.id, c.b, t.{_col('group')}, t.{_col('priority')}"
           f" FROM (SELECT ticket_id, MAX(b) AS b FROM ({' UNION ALL '.join(parts)}) u"
           f" GROUP BY ticket_id) c CROSS JOIN {_TICKETS} t"
           f" WHERE t.id = c.ticket_id AND t.{_col('status')} IN ({prepared.marks(statuses)})")
    params += statuses
    if scope[0]:
        sql += f" AND {scope[0]}"
        params += scope[1]
    return [TroubleRow(pk, b == 1, group_id, priority)
            for pk, b, group_id, priority in prepared.fetch_all(sql, params)]


def trouble_counts(*, viewer: Viewer, now: datetime,
                   trouble: list[TroubleRow] | None = None) -> dict[str, int]:
    """Return how many of the viewer's open tickets are breached and breaching soon:
    read from the few clocks in trouble, so it costs the same however big the queue."""
    if trouble is None:
        trouble = trouble_rows(viewer=viewer, now=now)
    breached = sum(1 for row in trouble if row.breached)
    return {"breached": breached, "soon": len(trouble) - breached}


TROUBLE_VIEWS = ("soon", "breached")


def _trouble_by_due(rows: list[TroubleRow], n: int, walks: dict | None = None,
                    ) -> list[tuple[int, datetime | None]]:
    """The first ``n`` of ``rows`` by next due time, as (ticket id, next due) pairs.

    Tickets in trouble are due first, so walking the running clocks in due order (their
    partial indexes alone, no ticket read) finds their next due times in the first
    round; the per-ticket reading of due times is left for the rare case where it does
    not (a paused breached clock and a next one due far ahead). ``walks`` keeps the
    clocks read, for a page that orders two lists (the board: breached, then soon)."""
    walks = {} if walks is None else walks
    if not rows:
        return []
    wanted = {row.id for row in rows}
    goal = min(n, len(wanted))
    for limit in WALK_ROUNDS:
        read, bound = [], None
        counts: dict[int, int] = {}
        last: dict[int, datetime] = {}
        if limit not in walks:
            walks[limit] = [(pk, _due(due), part) for pk, due, part
                            in prepared.fetch_all(_walk_clocks_sql(), [limit, limit])]
        for pk, due, part in walks[limit]:
            counts[part] = counts.get(part, 0) + 1
            last[part] = due
            if pk in wanted:
                read.append((pk, due))
        for part, count in counts.items():
            if count == limit and (bound is None or last[part] < bound):
                bound = last[part]  # unread clocks are due at or after this
        page: dict[int, datetime | None] = {}
        for pk, due in sorted(read, key=lambda row: (row[1], -row[0])):
            if bound is not None and due >= bound:
                break
            page.setdefault(pk, due)
            if len(page) == goal:
                return list(page.items())
        if bound is None:  # every running clock read: the rest have none running
            idle = sorted(wanted - set(page), reverse=True)[:n - len(page)]
            return list(page.items()) + [(pk, None) for pk in idle]
    dues = _next_dues(sorted(wanted))
    ranked = sorted(wanted, key=lambda pk: (0, dues[pk], -pk) if dues.get(pk) is not None
                    else (1, 0, -pk))
    return [(pk, dues.get(pk)) for pk in ranked[:n]]


def _next_dues(ids: list[int]) -> dict[int, datetime]:
    """Each ticket's earliest running clock's due time (tickets with none left out)."""
    return {pk: _due(due) for pk, due in prepared.fetch_all(
        f"SELECT ticket_id, MIN(due_at) FROM {_SLA} WHERE state = '{RUNNING}'"
        f" AND ticket_id IN ({prepared.marks(ids)}) GROUP BY ticket_id", ids) if due is not None}


def queue_tickets(*, viewer: Viewer, query: QueueQuery, now: datetime,
                  trouble: list[TroubleRow] | None = None) -> list:
    """Return one page of the view as list rows (``QueueRow``), each with ``next_due``
    (its earliest running SLA clock), its SLA state and cells; sorted by due time unless
    asked. ``trouble``: the viewer's ``trouble_rows``, if at hand."""
    if query.sort == "due" and query.view in TROUBLE_VIEWS:
        # Breached / breaching soon: the trouble set is small and already in scope.
        if trouble is None:
            trouble = trouble_rows(viewer=viewer, now=now)
        kind = query.view == "breached"
        rows = [r for r in trouble if r.breached == kind
                and (query.group is None or r.group_id == query.group.pk)
                and (not query.priority or r.priority == query.priority)]
        page = _trouble_by_due(rows, PAGE_SIZE)
    else:
        page = (_soonest_due(viewer, query, now)
                if query.sort == "due" and query.view in WALKED else None)
        if page is None:
            qs = open_tickets(viewer).filter(view_q(query.view, viewer, now))
            if query.group is not None:
                qs = qs.filter(group=query.group)
            if query.priority:
                qs = qs.filter(priority=query.priority)
            next_due = _clock(state=RUNNING).order_by("due_at").values("due_at")[:1]
            # ids and due times first (no joins while sorting), then the page's rows
            page = list(qs.annotate(next_due=Subquery(next_due))
                        .order_by(*SORTS.get(query.sort, SORTS["due"]))
                        .values_list("id", "next_due")[:PAGE_SIZE])
    return list_rows(page, now)


class QueueRow:
    """What a list row (queue table, SLA board) shows of a ticket; built from one
    statement, without model instances."""

    __slots__ = ("id", "subject", "priority", "status", "organisation", "group",
                 "assignee", "next_due", "breached", "warned", "sla_state", "badge",
                 "due_cell", "url", "status_label")

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class RowOrganisation:
    name: str
    vip: bool


@dataclass(frozen=True)
class RowGroup:
    pk: int
    name: str


@cache
def _rows_sql() -> str:
    quote = connection.ops.quote_name
    user_model = Agent._meta.get_field("user").related_model
    org_table = Ticket._meta.get_field("organisation").related_model._meta.db_table
    return (
        f"SELECT t.id, t.{_col('subject')}, t.{_col('priority')}, t.{_col('status')},"
        f" o.id, o.name, o.vip, g.id, g.name, a.id, u.first_name, u.last_name, u.username,"
        f" EXISTS(SELECT 1 FROM {_SLA} s WHERE s.ticket_id = t.id"
        f" AND s.breached_at IS NOT NULL AND s.met_at IS NULL),"
        f" EXISTS(SELECT 1 FROM {_SLA} s WHERE s.ticket_id = t.id AND s.state = '{RUNNING}'"
        f" AND s.warned_at IS NOT NULL AND s.breached_at IS NULL)"
        f" FROM {_TICKETS} t"
        f" LEFT OUTER JOIN {quote(org_table)} o ON o.id = t.{_col('organisation')}"
        f" LEFT OUTER JOIN {quote(Group._meta.db_table)} g ON g.id = t.{_col('group')}"
        f" LEFT OUTER JOIN {quote(Agent._meta.db_table)} a ON a.id = t.{_col('assignee')}"
        f" LEFT OUTER JOIN {quote(user_model._meta.db_table)} u ON u.id = a.user_id"
        f" WHERE t.id IN ({{ids}})"
    )


def list_rows(page: list[tuple[int, datetime | None]], now: datetime) -> list[QueueRow]:
    """The rows of ``page`` ((ticket id, next due) pairs, in order) in one statement,
    each with its SLA state, badge, due cell, link and status label."""
    if not page:
        return []
    ids = [pk for pk, _due_at in page]
    by_id = {}
    for (pk, subject, priority, status, org_id, org_name, vip, group_id, group_name,
         agent_id, first, last, username, breached, warned) in prepared.fetch_all(
            _rows_sql().format(ids=prepared.marks(ids)), ids):
        row = QueueRow()
        row.id, row.subject, row.priority, row.status = pk, subject, priority, status
        row.organisation = None if org_id is None else RowOrganisation(org_name, bool(vip))
        row.group = None if group_id is None else RowGroup(group_id, group_name)
        row.assignee = None if agent_id is None else (
            f"{first} {last}".strip() or username)
        row.breached, row.warned = bool(breached), bool(warned)
        by_id[pk] = row
    rows = []
    for pk, due in page:
        row = by_id.get(pk)
        if row is None:
            continue  # deleted since the page's ids were read
        row.next_due = due
        row.sla_state = sla_state_of(row, now)
        rows.append(row)
    return decorate_rows(rows, now)


WALKED = ("open", "unassigned")
# Clocks read per round of the walk: a ticket has a few running clocks (first response,
# next reply, resolution), so the first rounds hold the page unless the viewer's scope
# is a small share of all tickets; after the last round the database sorts the view.
WALK_ROUNDS = (PAGE_SIZE * 10, PAGE_SIZE * 100)


@cache
def _walk_clocks_sql() -> str:
    """The first ``limit`` running clocks by due time, unbreached (part 0) and breached
    but not met (part 1), each read in order from its partial (due, ticket) index alone."""
    branches = []
    for part, where in ((0, "state = 'running' AND breached_at IS NULL"),
                        (1, "state = 'running' AND breached_at IS NOT NULL"
                            " AND met_at IS NULL")):
        branches.append(
            f"SELECT * FROM (SELECT ticket_id, due_at, {part} AS part FROM {_SLA}"
            f" WHERE {where} AND due_at IS NOT NULL ORDER BY due_at, ticket_id DESC"
            f" LIMIT %s) c{part}")
    return " UNION ALL ".join(branches)


def _soonest_due(viewer: Viewer, query: QueueQuery,
                 now: datetime) -> list[tuple[int, datetime | None]] | None:
    """Return the page's (ticket id, next due) pairs, soonest first, tickets without a
    running clock last (newest first); or None when the walk cannot tell.

    Clocks first, then their tickets in view, in one statement per round: the first
    running clocks in due order from their partial indexes (unbreached, and
    breached-but-running), those whose ticket is in view (by primary key), and per part
    how many clocks were read and the last one's due time; the read grows if the page is
    not full. The cost follows the page and the viewer's share of the tickets, not the
    size of the queue (the database's own plan for "tickets in view, joined to their
    clocks, by due time" walked a group's whole queue).
    """
    view = _in_view_sql(viewer, query)
    if view is None:
        return []
    page: dict[int, datetime | None] = {}
    for limit in WALK_ROUNDS:
        sql = (f"WITH c AS ({_walk_clocks_sql()})"
               f" SELECT c.ticket_id, c.due_at, c.part, 0 FROM c"
               f" CROSS JOIN {_TICKETS} t WHERE t.id = c.ticket_id AND {view[0]}"
               f" UNION ALL SELECT NULL, MAX(c.due_at), c.part, COUNT(*) FROM c GROUP BY c.part")
        rows, bound = [], None
        for pk, due, _part, read in prepared.fetch_all(sql, [limit, limit, *view[1]]):
            due = _due(due)
            if pk is not None:
                rows.append((pk, due))
            elif read == limit and (bound is None or due < bound):
                bound = due  # unread clocks are due at or after this
        page = {}
        for pk, due in sorted(rows, key=lambda row: (row[1], -row[0])):
            if bound is not None and due >= bound:
                break
            page.setdefault(pk, due)
            if len(page) == PAGE_SIZE:
                return list(page.items())
        if bound is None:
            break  # every running clock was read
    else:
        return None  # the viewer's share is too thin for a walk: let the database sort
    missing = PAGE_SIZE - len(page)
    qs = open_tickets(viewer).filter(view_q(query.view, viewer, now))
    if query.group is not None:
        qs = qs.filter(group=query.group)
    if query.priority:
        qs = qs.filter(priority=query.priority)
    idle = (qs.filter(~Exists(_clock(state=RUNNING))).order_by("-id")
            .values_list("id", flat=True)[:missing])
    return list(page.items()) + [(pk, None) for pk in idle]


def sla_state_of(ticket, now: datetime) -> str:
    """Return "breached", "warned" (amber: warned or due within the hour), "ok" or "none"."""
    if ticket.breached or (ticket.next_due is not None and ticket.next_due <= now):
        return "breached"
    if ticket.warned or (ticket.next_due is not None and ticket.next_due <= now + SOON):
        return "warned"
    return "ok" if ticket.next_due is not None else "none"


def saved_q(saved, viewer: Viewer, now: datetime) -> Q:
    """The tickets of a saved filter (its view, queue and priority)."""
    q = view_q(saved.view, viewer, now)
    if saved.group_id is not None:
        q &= Q(group_id=saved.group_id)
    if saved.priority:
        q &= Q(priority=saved.priority)
    return q


def view_counts(*, viewer: Viewer, groups: list[Group], priorities: list[str],
                now: datetime, saved: list | None = None) -> dict[str, int]:
    """Return the count of every view, queue (``group:<id>``), priority and saved filter
    (``saved:<id>``) in one query."""
    saved = saved or []
    aggregates = {f"v_{slug}": Count("id", filter=view_q(slug, viewer, now))
                  for slug, _label in VIEWS}
    aggregates.update({f"s_{f.pk}": Count("id", filter=saved_q(f, viewer, now))
                       for f in saved})
    aggregates.update({f"g_{g.pk}": Count("id", filter=Q(group=g)) for g in groups})
    aggregates.update({f"p_{i}": Count("id", filter=Q(priority=p))
                       for i, p in enumerate(priorities)})
    row = open_tickets(viewer).aggregate(**aggregates)
    out = {slug: row[f"v_{slug}"] for slug, _label in VIEWS}
    out.update({f"group:{g.pk}": row[f"g_{g.pk}"] for g in groups})
    out.update({f"priority:{p}": row[f"p_{i}"] for i, p in enumerate(priorities)})
    out.update({f"saved:{f.pk}": row[f"s_{f.pk}"] for f in saved})
    return out


def _open_load_condition() -> RawSQL:
    """``status IN (...)`` written exactly as the partial index ``ticket_open_load``'s
    condition, with literals: SQLite uses a partial index only for a query whose WHERE
    repeats its condition, and bound parameters inside an IN list do not count."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    statuses = ", ".join(f"'{s}'" for s in sorted(UNRESOLVED))  # constants, no user input
    return RawSQL(f'{table}."status" IN ({statuses})', (), output_field=BooleanField())


BOARD_LIST = 20  # tickets in each of the board's two lists


@dataclass(frozen=True)
class Board:
    by_priority: list[dict]
    breached: list[QueueRow]
    soon: list[QueueRow]
    groups: list[dict]
    agents: list[dict]
    total_open: int


def sla_board(*, viewer: Viewer, priorities: list[str], now: datetime) -> Board:
    """Return the manager's SLA board: open work by priority, what is breached now and what
    breaches within the hour, per-queue and per-agent load.

    Breached and breaching-soon counts come from the clocks in trouble (a small set,
    whatever the backlog); the open totals per priority, queue and agent come from one
    GROUP BY over the tickets' (status, priority, group, assignee) index, read in index
    order without touching the ticket rows (``ticket_open_load``)."""
    # One pass over the (status, priority, group, assignee) index, grouped in its order.
    load_rows = list(tickets_visible_to(viewer).filter(_open_load_condition())
                     .order_by().values_list("priority", "group_id", "assignee_id")
                     .annotate(n=Count("*")))
    totals: dict[str, int] = {}
    per_group: dict[int | None, list[int]] = {}
    load: dict[int, int] = {}
    for priority, group_id, assignee_id, n in load_rows:
        totals[priority] = totals.get(priority, 0) + n
        counts = per_group.setdefault(group_id, [0, 0])
        counts[0] += n
        if assignee_id is None:
            counts[1] += n
        else:
            load[assignee_id] = load.get(assignee_id, 0) + n
    # One read of the trouble set serves the counts per priority and both lists.
    trouble = trouble_rows(viewer=viewer, now=now)
    per_priority = {p: {"total": n, "breached": 0, "soon": 0} for p, n in totals.items()}
    for ticket in trouble:
        row = per_priority.setdefault(ticket.priority, {"total": 0, "breached": 0, "soon": 0})
        row["breached" if ticket.breached else "soon"] += 1
    order = priorities + sorted(set(per_priority) - set(priorities), key=str)
    by_priority = [{"priority": p or "–", **per_priority[p]} for p in order if p in per_priority]
    walks: dict = {}  # one walk of the clocks orders both lists
    late = _trouble_by_due([t for t in trouble if t.breached], BOARD_LIST, walks)
    near = _trouble_by_due([t for t in trouble if not t.breached], BOARD_LIST, walks)
    rows = list_rows(late + near, now)
    late_ids = {pk for pk, _due_at in late}
    breached = [row for row in rows if row.id in late_ids]
    soon = [row for row in rows if row.id not in late_ids]
    groups = [{"id": g["id"], "name": g["name"], "open": per_group.get(g["id"], [0, 0])[0],
               "unassigned": per_group.get(g["id"], [0, 0])[1]}
              for g in groups_of(viewer).values("id", "name")]
    agents = Agent.objects.filter(pk__in=list(load), is_active=True).select_related("user")
    agents = sorted(agents, key=lambda a: (-load[a.pk], a.user.username))[:50]
    return Board(
        by_priority=by_priority, breached=breached, soon=soon, groups=groups,
        agents=[{"name": str(a), "open": load[a.pk]} for a in agents],
        total_open=sum(row["total"] for row in by_priority),
    )
