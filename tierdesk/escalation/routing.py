"""Where an escalated ticket lands: a queue someone who can take it will see.

A tier's queue is a group named for the tier (``code``) or working it (``tier``) with an
active member *holding* that tier; a unit's queue is the group with the unit's code and an
active member. When there is none, the move is refused (a rule's escalation is recorded as
a failed action): a ticket moved where nobody can open it would look handled and be lost.
"""

from functools import cache

from django.db import connection

from tierdesk.common import generations, prepared
from tierdesk.common.errors import Conflict
from tierdesk.people.models import Agent, Group, Tier


@cache
def _statement(tier: bool, vendor: str) -> tuple[str, prepared.Columns]:
    """The lookup as one prepared statement: it runs inside every escalating rule's write
    transaction, where compiling the ORM's joins cost more than running them."""
    q = connection.ops.quote_name
    cols = prepared.Columns(Group, "g")
    through = Agent.groups.through._meta.db_table
    agents, groups, tiers = (q(m._meta.db_table) for m in (Agent, Group, Tier))
    holds = (f" AND a.{q('tier_id')} IN (SELECT t.{q('id')} FROM {tiers} t"
             f" WHERE t.{q('code')} = %s)") if tier else ""
    queue = (f"(g.{q('code')} = %s OR g.{q('tier_id')} IN (SELECT t.{q('id')} FROM {tiers} t"
             f" WHERE t.{q('code')} = %s))") if tier else f"g.{q('code')} = %s"
    sql = (f"SELECT {cols.sql} FROM {groups} g WHERE {queue} AND EXISTS ("
           f"SELECT 1 FROM {q(through)} ag JOIN {agents} a ON a.{q('id')} = ag.{q('agent_id')}"
           f" WHERE ag.{q('group_id')} = g.{q('id')} AND a.{q('is_active')}{holds})"
           f" ORDER BY CASE WHEN g.{q('code')} = %s THEN 0 ELSE 1 END, g.{q('id')} LIMIT 1")
    return sql, cols


def staffed_queue(to: str, *, tier: bool) -> Group:
    """Return the queue for tier or unit ``to``; raise ``Conflict`` when nobody works it."""
    # Staffing changes a few times a year: each process keeps the answer until the staff
    # tables change (``tierdesk.common.generations``), so a create or a sweep batch
    # escalating hundreds of tickets to the same tier does not ask the database.
    queue = generations.cached("staff", ("staffed_queue", to, tier),
                               lambda: _lookup(to, tier))
    if queue is None:
        holder = f"an active agent of tier {to}" if tier else "an active member"
        raise Conflict(
            f"nobody can take {to} tickets: no queue of {to} has {holder}; add one "
            f"(`tierdesk policy check --instance` lists what is unstaffed)", field="to")
    return queue


def _lookup(to: str, tier: bool) -> Group | None:
    sql, cols = _statement(tier, connection.vendor)
    # The same member must be active and (for a tier) hold the tier.
    row = prepared.fetch_one(sql, [to, to, to, to] if tier else [to, to])
    return cols.build(row) if row is not None else None
