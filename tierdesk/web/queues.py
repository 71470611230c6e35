"""Reads behind the workspace and the SLA board: the viewer's open tickets, cut into views,
sorted by their next SLA due time, and counted.

Every read starts from ``tickets_visible_to(viewer)``, so a page can never show more than
the API would.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Agent, Group
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import tickets_visible_to
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


def trouble_q(now: datetime) -> Q:
    """Breached or breaching soon: the few tickets the two counts are read from."""
    return Q(pk__in=_clock_tickets(now, "breached", "overdue", "due_soon", "warned"))


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


def queue_tickets(*, viewer: Viewer, query: QueueQuery, now: datetime) -> list[Ticket]:
    """Return one page of the view, each ticket annotated with ``next_due`` (its earliest
    running SLA clock), ``breached`` and ``warned``; sorted by due time unless asked."""
    qs = open_tickets(viewer).filter(view_q(query.view, viewer, now))
    if query.group is not None:
        qs = qs.filter(group=query.group)
    if query.priority:
        qs = qs.filter(priority=query.priority)
    flags = {
        "breached": Exists(_clock(breached_at__isnull=False, met_at__isnull=True)),
        "warned": Exists(_clock(state=RUNNING, warned_at__isnull=False,
                                breached_at__isnull=True)),
    }
    # Walking the clocks in due order suits the broad views; the selective ones (a few
    # tickets) are cheaper to sort whole.
    page = _soonest_due(qs) if query.sort == "due" and query.view in WALKED else None
    if page is not None:
        by_id = qs.model.objects.filter(pk__in=[pk for pk, _due in page]).annotate(
            **flags).select_related(*ROW_RELATED).only(*ROW_FIELDS).in_bulk()
        tickets = []
        for pk, due in page:
            ticket = by_id[pk]
            ticket.next_due = due
            tickets.append(ticket)
    else:
        next_due = _clock(state=RUNNING).order_by("due_at").values("due_at")[:1]
        tickets = list(qs.annotate(next_due=Subquery(next_due), **flags)
                       .select_related(*ROW_RELATED).only(*ROW_FIELDS)
                       .order_by(*SORTS.get(query.sort, SORTS["due"]))[:PAGE_SIZE])
    for ticket in tickets:
        ticket.sla_state = sla_state_of(ticket, now)
    return decorate_rows(tickets, now)


# What a list row shows (queue table, SLA board): loading only these skips the ticket's
# JSON columns (tags, custom fields), decoded per row, and the unused relations.
ROW_RELATED = ("organisation", "group", "assignee__user")
ROW_FIELDS = ("id", "subject", "priority", "status", "organisation__name",
              "organisation__vip", "group__name", "assignee__user__first_name",
              "assignee__user__last_name", "assignee__user__username")

WALKED = ("open", "unassigned")
# Clocks read per round of the walk: a ticket has a few running clocks (first response,
# next reply, resolution), so the first rounds hold the page unless the viewer's scope
# is a small share of all tickets; after the last round the database sorts the view.
WALK_ROUNDS = (PAGE_SIZE * 10, PAGE_SIZE * 100)


def _clock_rows(limit: int, *, breached: bool) -> tuple[QuerySet, QuerySet]:
    """The first ``limit`` running clocks by due time (unbreached, or breached and not
    met) as (ticket id, due) rows, and the same clocks' ticket ids as a subquery: both
    read the clocks' partial due-time index, never the tickets."""
    if breached:
        clocks = SlaTarget.objects.filter(state=RUNNING, breached_at__isnull=False,
                                          met_at__isnull=True)
    else:
        clocks = SlaTarget.objects.filter(state=RUNNING, breached_at__isnull=True)
    clocks = clocks.filter(due_at__isnull=False).order_by("due_at", "-ticket_id")
    return (clocks.values_list("ticket_id", "due_at")[:limit],
            clocks.values("ticket_id")[:limit])


def _soonest_due(qs: QuerySet[Ticket]) -> list[tuple[int, datetime | None]] | None:
    """Return the page's (ticket id, next due) pairs, soonest first, tickets without a
    running clock last (newest first); or None when the walk cannot tell.

    Clocks first, then their tickets in scope: reads the first running clocks in due
    order from their partial indexes (unbreached, and breached-but-running), keeps those
    whose ticket is in view (one query on the tickets by primary key), and grows the
    read if the page is not full. The cost follows the page and the viewer's share of
    the tickets, not the size of the queue (the database's own plan for "tickets in
    view, joined to their clocks, by due time" walked a group's whole queue).
    """
    page: dict[int, datetime | None] = {}
    for limit in WALK_ROUNDS:
        rows, bound = [], None
        for breached in (False, True):
            clocks, ticket_ids = _clock_rows(limit, breached=breached)
            clocks = list(clocks)
            if len(clocks) == limit and (bound is None or clocks[-1][1] < bound):
                bound = clocks[-1][1]  # unread clocks are due at or after this
            in_view = set(qs.filter(pk__in=ticket_ids).values_list("id", flat=True))
            rows += [row for row in clocks if row[0] in in_view]
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
    idle = (qs.filter(~Exists(_clock(state=RUNNING))).order_by("-id")
            .values_list("id", flat=True)[:missing])
    return list(page.items()) + [(pk, None) for pk in idle]


def sla_state_of(ticket: Ticket, now: datetime) -> str:
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


def _trouble_sets(now: datetime) -> tuple[set[int], set[int]]:
    """Return the ids of every breached ticket and of every ticket breaching soon (and
    not breached), read once from the clocks' small partial indexes (one UNION ALL)."""
    table = connection.ops.quote_name(SlaTarget._meta.db_table)
    sql, params = [], []
    for part in _PARTS:
        where, needs_now = _PARTS[part]
        sql.append(f"SELECT ticket_id, '{part}' FROM {table} WHERE {where}")
        params += [connection.ops.adapt_datetimefield_value(
            now + SOON if n == "soon" else now) for n in needs_now]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        rows = cursor.fetchall()
    breached = {pk for pk, part in rows if part in ("breached", "overdue")}
    soon = {pk for pk, part in rows if part in ("due_soon", "warned")} - breached
    return breached, soon


def _trouble_in_view(viewer: Viewer, now: datetime,
                     *fields: str) -> tuple[set[int], set[int], list[tuple]]:
    """The breached and breaching-soon ids among the viewer's open tickets, with
    ``fields`` of those tickets. The tickets are read by primary key from the trouble
    set; whether each is still open is checked here, so no plan can prefer scanning
    every open ticket's status."""
    breached, soon = _trouble_sets(now)
    rows = [row[:1] + row[2:] for row in tickets_visible_to(viewer).filter(trouble_q(now))
            .values_list("id", "status", *fields) if row[1] in UNRESOLVED]
    ids = {row[0] for row in rows}
    return breached & ids, soon & ids, rows


def trouble_counts(*, viewer: Viewer, now: datetime) -> dict[str, int]:
    """Return how many of the viewer's open tickets are breached and breaching soon:
    read from the few clocks in trouble, so it costs the same however big the queue."""
    breached, soon, _rows = _trouble_in_view(viewer, now)
    return {"breached": len(breached), "soon": len(soon)}


def _open_load_condition() -> RawSQL:
    """``status IN (...)`` written exactly as the partial index ``ticket_open_load``'s
    condition, with literals: SQLite uses a partial index only for a query whose WHERE
    repeats its condition, and bound parameters inside an IN list do not count."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    statuses = ", ".join(f"'{s}'" for s in sorted(UNRESOLVED))  # constants, no user input
    return RawSQL(f'{table}."status" IN ({statuses})', (), output_field=BooleanField())


@dataclass(frozen=True)
class Board:
    by_priority: list[dict]
    breached: list[Ticket]
    soon: list[Ticket]
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
    breached_ids, soon_ids, trouble = _trouble_in_view(viewer, now, "priority")
    per_priority = {p: {"total": n, "breached": 0, "soon": 0} for p, n in totals.items()}
    for pk, priority in trouble:
        row = per_priority.setdefault(priority, {"total": 0, "breached": 0, "soon": 0})
        row["breached"] += pk in breached_ids
        row["soon"] += pk in soon_ids
    order = priorities + sorted(set(per_priority) - set(priorities), key=str)
    by_priority = [{"priority": p or "–", **per_priority[p]} for p in order if p in per_priority]
    breached = queue_tickets(viewer=viewer, query=QueueQuery(view="breached"), now=now)[:20]
    soon = queue_tickets(viewer=viewer, query=QueueQuery(view="soon"), now=now)[:20]
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
