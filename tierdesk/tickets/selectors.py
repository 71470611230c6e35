"""Reads of tickets, always through the viewer's authorization scope.

An agent sees its groups' queues, what is assigned to it, and the unrouted triage inbox
(tickets with no group yet); managers see all; a customer sees its organisation's.
"""

from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet

from tierdesk.common import prepared
from tierdesk.common.errors import NotFound
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.search.query import ranked_ids_sql
from tierdesk.tickets.models import Message, Ticket, TicketEvent, TicketFollower
from tierdesk.tickets.search import TICKETS

LIST_RELATED = ("requester", "organisation", "group", "tier", "assignee__user")


def tickets_visible_to(viewer: Viewer) -> QuerySet[Ticket]:
    """Return the tickets ``viewer`` may see; nothing for a user who is neither side."""
    qs = Ticket.objects.all()
    if viewer.is_manager:
        return qs
    if viewer.is_agent:
        # Unrouted tickets (no group yet) are everyone's triage inbox; a ticket an agent
        # opened or holds stays theirs to see wherever routing sends it.
        return qs.filter(
            Q(group_id__in=agent_group_ids(viewer.agent))
            | Q(group__isnull=True)
            | Q(assignee=viewer.agent)
            | Q(created_by=viewer.user)
            | Q(pk__in=TicketFollower.objects.filter(user=viewer.user).values("ticket_id"))
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
    if viewer.is_agent:
        ticket = _agent_ticket_get(viewer, ticket_id)
    else:
        ticket = (tickets_visible_to(viewer).select_related(*LIST_RELATED)
                  .filter(pk=ticket_id).first())
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found", field="ticket_id")
    return ticket


# An agent opens a ticket on every page and every action: one hand-built statement reads
# it with its requester, organisation, queue, tier and assignee, and checks the scope of
# ``tickets_visible_to`` (the agent's groups as a subquery, not a query of their own).
# Compiling the ORM's version cost ~4 ms of CPU for one row.
_TICKET_JOINS = (("requester", "t1"), ("organisation", "t2"), ("group", "t3"),
                 ("tier", "t4"), ("assignee", "t5"))


@cache
def _ticket_statement(vendor: str) -> tuple[str, list]:
    quote = connection.ops.quote_name
    opts = Ticket._meta
    parts = [prepared.Columns(Ticket, "t")]
    from_sql = f"{quote(opts.db_table)} t"
    for name, alias in _TICKET_JOINS:
        field = opts.get_field(name)
        parts.append(prepared.Columns(field.related_model, alias))
        from_sql += (f" LEFT OUTER JOIN {quote(field.related_model._meta.db_table)} {alias}"
                     f" ON {alias}.{quote(field.target_field.column)}"
                     f" = t.{quote(field.column)}")
    user_field = Agent._meta.get_field("user")
    parts.append(prepared.Columns(user_field.related_model, "t6"))
    from_sql += (f" LEFT OUTER JOIN {quote(user_field.related_model._meta.db_table)} t6"
                 f" ON t6.{quote(user_field.target_field.column)}"
                 f" = t5.{quote(user_field.column)}")
    select = ", ".join(cols.sql for cols in parts)
    sql = f"SELECT {select} FROM {from_sql} WHERE t.{quote(opts.pk.column)} = %s"
    return sql, parts


def _agent_ticket_get(viewer: Viewer, ticket_id: int) -> Ticket | None:
    """``tickets_visible_to(viewer).select_related(*LIST_RELATED).get(pk=...)`` for an
    agent or a manager, as one prepared statement."""
    sql, parts = _ticket_statement(connection.vendor)
    scope, params = _scope(viewer, groups_inline=True)
    row = prepared.fetch_one(f"{sql} AND {scope}" if scope else sql, [ticket_id, *params])
    if row is None:
        return None
    ticket = parts[0].build(row)
    start = parts[0].width
    related = []
    for (name, _alias), cols in zip(_TICKET_JOINS, parts[1:], strict=False):
        obj = cols.build(row, start)
        Ticket._meta.get_field(name).set_cached_value(ticket, obj)
        related.append(obj)
        start += cols.width
    assignee = related[-1]
    if assignee is not None:
        Agent._meta.get_field("user").set_cached_value(assignee, parts[-1].build(row, start))
    return ticket


# A list page is read by one hand-built statement: the ORM spent more CPU compiling the
# page's query and the three name lookups than the database spent answering them
# (profiled on 100,000 tickets). Only the requester and organisation are joined: a
# 7-table join cost PostgreSQL ~10 ms of planning per page; the small tables (queues,
# tiers, agents) are read by id. Rows are plain dicts in the shape of ``TicketOut``.
TICKET_COLUMNS = (
    "id", "subject", "status", "priority", "channel", "category", "error_code", "language",
    "tags", "custom_fields", "merged_into_id", "created_at", "updated_at",
    "first_responded_at", "solved_at", "closed_at",
    "requester", "organisation", "group", "tier", "assignee",
)
OUT_FIELDS = len(TICKET_COLUMNS) - 5  # the ticket's own fields, copied as they are
EQUAL_FILTERS = {
    "status": "status", "priority": "priority", "channel": "channel",
    "category": "category", "error_code": "error_code", "language": "language",
    "group_id": "group", "assignee_id": "assignee", "organisation_id": "organisation",
    "requester_id": "requester",
}


@cache
def _list_columns() -> tuple[prepared.Columns, prepared.Columns, prepared.Columns, str]:
    quote = connection.ops.quote_name
    tickets = prepared.Columns(Ticket, "t", names=TICKET_COLUMNS)
    contacts = prepared.Columns(Contact, "r", names=("name", "email"))
    orgs = prepared.Columns(Organisation, "o", names=("name", "external_id"))
    field = Ticket._meta.get_field
    from_sql = (
        f"{quote(Ticket._meta.db_table)} t"
        f" INNER JOIN {quote(Contact._meta.db_table)} r"
        f" ON r.{quote('id')} = t.{quote(field('requester').column)}"
        f" LEFT OUTER JOIN {quote(Organisation._meta.db_table)} o"
        f" ON o.{quote('id')} = t.{quote(field('organisation').column)}"
    )
    return tickets, contacts, orgs, from_sql


def _column(name: str) -> str:
    return "t." + connection.ops.quote_name(Ticket._meta.get_field(name).column)


def _icontains(name: str) -> str:
    """``name__icontains``, spelled as the database backend spells it for the ORM."""
    field = Ticket._meta.get_field(name)
    lhs = connection.ops.lookup_cast("icontains", field.get_internal_type()) % _column(name)
    return f"{lhs} {connection.operators['icontains'] % '%s'}"


def _like(text: str) -> str:
    return f"%{connection.ops.prep_for_like_query(text)}%"


def visible_sql(viewer: Viewer) -> tuple[str, list] | None:
    """``tickets_visible_to`` as a condition on the tickets under the alias ``t`` (empty
    for a manager), with its parameters; None when the viewer may see nothing. For the
    hand-built statements of the hot pages (lists, the workspace's queues)."""
    return _scope(viewer)


def ticket_visible(*, viewer: Viewer, ticket_id: int) -> bool:
    """Whether ``viewer`` may see the ticket, in one statement (a chat line checks it
    before every write, and needs none of the ticket's columns)."""
    scope = _scope(viewer, groups_inline=True)
    if scope is None:
        return False
    sql, params = scope
    table = connection.ops.quote_name(Ticket._meta.db_table)
    where = f" AND {sql}" if sql else ""
    return prepared.fetch_one(f"SELECT 1 FROM {table} t WHERE {_column('id')} = %s{where}",
                              [ticket_id, *params]) is not None


def _scope(viewer: Viewer, *, groups_inline: bool = False) -> tuple[str, list] | None:
    """``tickets_visible_to`` as SQL on the tickets aliased ``t``; None when the viewer may
    see nothing. ``groups_inline``: the agent's queues as a subquery in the statement, not
    a query of their own first (a single ticket's read: one statement)."""
    if viewer.is_manager:
        return "", []
    if viewer.is_agent:
        quote = connection.ops.quote_name
        if groups_inline:
            members = Agent.groups.through._meta
            in_groups = (f"{_column('group')} IN (SELECT m.{quote('group_id')} FROM"
                         f" {quote(members.db_table)} m WHERE m.{quote('agent_id')} = %s) OR ")
            groups = [viewer.agent.pk]
        else:
            groups = agent_group_ids(viewer.agent)
            in_groups = (f"{_column('group')} IN ({prepared.marks(groups)}) OR "
                         if groups else "")
        follows = (f"SELECT {quote('ticket_id')} FROM {quote(TicketFollower._meta.db_table)}"
                   f" WHERE {quote('user_id')} = %s")
        return (f"({in_groups}{_column('group')} IS NULL OR {_column('assignee')} = %s"
                f" OR {_column('created_by')} = %s OR {_column('id')} IN ({follows}))",
                [*groups, viewer.agent.pk, viewer.user.pk, viewer.user.pk])
    if viewer.is_customer and viewer.organisation_id is not None:
        return f"{_column('organisation')} = %s", [viewer.organisation_id]
    if viewer.is_customer:
        return f"{_column('requester')} = %s", [viewer.contact.pk]
    return None


def _names(sql_table: str, columns: str, ids: set[int]) -> list[tuple]:
    if not ids:
        return []
    ordered = sorted(ids)
    return prepared.fetch_all(
        f"SELECT {columns} FROM {sql_table} WHERE id IN ({prepared.marks(ordered)})", ordered)


def _rows(rows: list[list]) -> list[dict]:
    """Shape converted rows as ``TicketOut``, with three small lookups by id."""
    quote = connection.ops.quote_name
    group_i, tier_i, agent_i = OUT_FIELDS + 2, OUT_FIELDS + 3, OUT_FIELDS + 4

    def ids(index: int) -> set[int]:
        return {row[index] for row in rows if row[index] is not None}

    groups = dict(_names(quote(Group._meta.db_table), "id, name", ids(group_i)))
    tiers = dict(_names(quote(Tier._meta.db_table), "id, code", ids(tier_i)))
    agent_ids = sorted(ids(agent_i))
    agents = {}
    if agent_ids:
        user_table = quote(Agent._meta.get_field("user").related_model._meta.db_table)
        for pk, first, last, username in prepared.fetch_all(
            f"SELECT a.id, u.first_name, u.last_name, u.username"
            f" FROM {quote(Agent._meta.db_table)} a INNER JOIN {user_table} u"
            f" ON u.id = a.user_id WHERE a.id IN ({prepared.marks(agent_ids)})", agent_ids,
        ):
            agents[pk] = f"{first} {last}".strip() or username
    out = []
    for row in rows:
        item = dict(zip(TICKET_COLUMNS[:OUT_FIELDS], row, strict=False))
        org_id, group_id, agent_id = row[OUT_FIELDS + 1], row[group_i], row[agent_i]
        item["requester"] = {"id": row[OUT_FIELDS], "name": row[-4], "email": row[-3]}
        item["organisation"] = None if org_id is None else {
            "id": org_id, "name": row[-2], "external_id": row[-1]}
        item["group"] = None if group_id is None else {"id": group_id, "name": groups[group_id]}
        item["assignee"] = None if agent_id is None else {"id": agent_id,
                                                          "name": agents[agent_id]}
        item["tier"] = tiers.get(row[tier_i])
        out.append(item)
    return out


def _where(scope: tuple[str, list], filters: dict) -> tuple[list[str], list]:
    """The viewer's scope and the list's equality and tag filters, as SQL on ``t``."""
    where, params = ([scope[0]] if scope[0] else []), list(scope[1])
    for key, field in EQUAL_FILTERS.items():
        value = filters.get(key)
        if value is not None and value != "":
            where.append(f"{_column(field)} = %s")
            params.append(value)
    if filters.get("tag"):
        # Tags are stored as a JSON list of slugs; the quoted slug matches one tag.
        where.append(_icontains("tags"))
        params.append(_like(f'"{filters["tag"]}"'))
    return where, params


def _fetch_page(sql: str, params: list) -> list[dict]:
    tickets, contacts, orgs, _ = _list_columns()
    rows = []
    for row in prepared.fetch_all(sql, params):
        values = tickets.values(row)
        values += contacts.values(row, tickets.width)
        values += orgs.values(row, tickets.width + contacts.width)
        rows.append(values)
    return _rows(rows)


def ticket_list(
    *, viewer: Viewer, filters: dict, after_id: int | None, limit: int
) -> list[dict]:
    """Return one page (newest first, keyset on id) in one query, rows shaped as TicketOut."""
    scope = _scope(viewer)
    if scope is None:
        return []
    tickets, contacts, orgs, from_sql = _list_columns()
    where, params = _where(scope, filters)
    if after_id is not None:
        where.append(f"{_column('id')} < %s")
        params.append(after_id)
    sql = (
        f"SELECT {tickets.sql}, {contacts.sql}, {orgs.sql} FROM {from_sql}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {_column('id')} DESC LIMIT %s"
    )
    params.append(limit)
    return _fetch_page(sql, params)


def ticket_search(*, viewer: Viewer, filters: dict, offset: int, limit: int) -> list[dict]:
    """Return one page of the tickets matching every word of ``filters["q"]``, best first,
    under the same scope and filters as ``ticket_list``; internal notes match for agents
    only. The ranked ids come first, then the page's rows in one query."""
    scope = _scope(viewer)
    if scope is None:
        return []
    tickets, contacts, orgs, from_sql = _list_columns()
    where, params = _where(scope, filters)
    ranked = ranked_ids_sql(
        TICKETS, filters["q"], internal=viewer.is_agent,
        table=connection.ops.quote_name(Ticket._meta.db_table), alias="t",
        where=" AND ".join(where), params=params, limit=limit, offset=offset)
    if ranked is None:
        return []
    sql = (f"SELECT {tickets.sql}, {contacts.sql}, {orgs.sql}"
           f" FROM ({ranked[0]}) hits, {from_sql} WHERE {_column('id')} = hits.id"
           f" ORDER BY hits.score, hits.id DESC")
    return _fetch_page(sql, ranked[1])


def ticket_messages(*, viewer: Viewer, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.prefetch_related("attachments").order_by("id")
    if not viewer.is_agent:
        qs = qs.filter(kind=Message.Kind.REPLY)
    return qs


def ticket_events(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("id")
