"""The SLA sweep: find clocks whose warning or deadline has passed, claim them, record it.

It reads only the partial ``due_at``/``warn_at`` indexes, so its cost follows the number
of clocks due, not the number of open tickets. Claims are conditional updates inside one
transaction per batch, so two sweeps never act twice on one clock.

With a million open tickets the table is larger than PostgreSQL's default shared_buffers
and each due clock sits on its own page: the cost is pages, not rows. A marked clock
leaves the partial indexes, so its update is never HOT and writes an entry into every other
index of the table (hence only the two partial indexes, the primary key and the
(ticket, metric) constraint); each page's first change after a checkpoint is a full-page
WAL image; each event's foreign key locks its ticket's row at COMMIT. So PostgreSQL
claims a batch and records its events in one statement that visits each row once, in
physical order.

The pack's ``on_breach``/``on_warning`` actions (Template 3 apology, notify the support
manager...) are not run inline: each batch queues one ``sla_actions`` outbox message in the
same transaction, which the outbox worker runs right after, with retries. Detection stays
fast at scale (10,000 breaches in one sweep), and a crash between the two loses nothing.
"""

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from tierdesk import clock
from tierdesk.outbox import services as outbox
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)
BATCH = 2000
ACTIONS_KIND = "sla_actions"


def sla_sweep(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Record every due warning and breach; return how many clocks were claimed."""
    now = now or clock.now()
    total = 0
    for kind in ("breach", "warning"):
        while True:
            done = _sweep_batch(kind, now, batch)
            total += done
            if done < batch:
                break
    return total


def _due(kind: str, now: datetime):
    qs = SlaTarget.objects.filter(state=SlaTarget.State.RUNNING, breached_at__isnull=True)
    if kind == "breach":
        return qs.filter(due_at__lte=now).order_by("due_at")
    return qs.filter(warned_at__isnull=True, warn_at__lte=now).order_by("warn_at")


@transaction.atomic
def _sweep_batch(kind: str, now: datetime, batch: int) -> int:
    if connection.vendor == "postgresql":
        # A batch whose commit is lost in a crash is simply found again by the next sweep
        # (nothing was claimed), so it need not wait for the WAL flush.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        rows = _claim_and_record(kind, now, batch)
    else:
        rows = _claim(kind, now, batch)
        if rows:
            _record_events(kind, [r[0] for r in rows], now)
    if not rows:
        return 0
    decided: dict[tuple[int, str], bool] = {}
    for _, _, _, policy, version_id, _, _ in rows:
        if (version_id, policy) not in decided:
            decided[version_id, policy] = _has_actions(kind, version_id, policy)
    with_actions = [r for r in rows if decided[r[4], r[3]]]
    if with_actions:
        outbox.enqueue(kind=ACTIONS_KIND, at=now, payload={
            "kind": kind, "at": now.isoformat(),
            "clocks": [[r[1], r[2], r[3], r[4], r[6]] for r in with_actions],
        })
    return len(rows)


_COLUMNS = ("id", "ticket_id", "metric", "policy", "pack_version_id", "due_at",
            "target_minutes")
_EVENT_TYPE = {"breach": "sla_breached", "warning": "sla_warning"}

# PostgreSQL claims a batch and records its events in ONE statement: lock the due rows
# (SKIP LOCKED, so two sweeps share the work), mark them through their ctid (no second
# index descent per row: the lock keeps the row where it is), and insert the events from
# the UPDATE's RETURNING rows (no second lookup of the claimed rows). Rows are updated in
# ctid order (heap pages and index leaves in sequence) and the events inserted in ticket
# order (the foreign-key checks at COMMIT then walk the tickets in sequence too). A row
# another transaction changed after this statement's snapshot is locked but not updated,
# so it is simply left for the next batch or sweep. The partial indexes' predicates are
# repeated so the planner uses them and reads only the due rows.
_DUE_PG = {
    "breach": ("state = 'running' AND breached_at IS NULL AND due_at <= %(now)s "
               "ORDER BY due_at", "breached_at"),
    "warning": ("state = 'running' AND warned_at IS NULL AND breached_at IS NULL "
                "AND warn_at <= %(now)s ORDER BY warn_at", "warned_at"),
}
_CLAIM_AND_RECORD_PG = (
    "WITH due AS (SELECT ctid FROM {targets} WHERE {where} LIMIT %(batch)s "
    "FOR UPDATE SKIP LOCKED), "
    "claimed AS (UPDATE {targets} AS c SET {field} = %(now)s "
    "FROM (SELECT ctid FROM due ORDER BY ctid) AS d "
    "WHERE c.ctid = d.ctid RETURNING {returning}), "
    "recorded AS (INSERT INTO {events} (ticket_id, type, actor_id, data, created_at) "
    "SELECT ticket_id, %(type)s, NULL, json_build_object('metric', metric, "
    "'policy', policy, 'due_at', to_char(due_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')), %(now)s FROM claimed "
    "ORDER BY ticket_id, due_at, id) "
    "SELECT {cols} FROM claimed ORDER BY due_at, id"
)


def _claim_and_record(kind: str, now: datetime, batch: int) -> list[tuple]:
    """PostgreSQL: mark the batch's due clocks warned/breached and write their events in
    one statement; return the claimed rows."""
    where, field = _DUE_PG[kind]
    sql = _CLAIM_AND_RECORD_PG.format(
        targets=connection.ops.quote_name(SlaTarget._meta.db_table),
        events=connection.ops.quote_name(TicketEvent._meta.db_table),
        where=where, field=field, cols=", ".join(_COLUMNS),
        returning=", ".join(f"c.{c}" for c in _COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "batch": batch, "type": _EVENT_TYPE[kind]})
        return cursor.fetchall()


def _claim(kind: str, now: datetime, batch: int) -> list[tuple]:
    """Other databases: select the batch's due clocks and mark them warned/breached (only
    if still unmarked); return their rows."""
    qs = _due(kind, now)
    rows = list(qs.values_list(*_COLUMNS)[:batch])
    field = "breached_at" if kind == "breach" else "warned_at"
    SlaTarget.objects.filter(pk__in=[r[0] for r in rows], **{f"{field}__isnull": True}) \
        .update(**{field: now})
    return rows


# SQLite writes a batch's events with one INSERT ... SELECT from the claimed rows, so
# 10,000 breaches cost a few statements, not 10,000 model objects.
_EVENT_SQL_SQLITE = (
    "INSERT INTO {events} (ticket_id, type, actor_id, data, created_at) "
    "SELECT ticket_id, %s, NULL, json_object('metric', metric, 'policy', policy, "
    "'due_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%S+00:00', due_at)), %s "
    "FROM {targets} WHERE id IN ({ids}) ORDER BY due_at, id"
)


def _record_events(kind: str, target_ids: list[int], now: datetime) -> None:
    event_type = _EVENT_TYPE[kind]
    if connection.vendor != "sqlite":  # another backend: the portable, slower path
        rows = SlaTarget.objects.filter(pk__in=target_ids).order_by("due_at", "id")
        TicketEvent.objects.bulk_create([
            TicketEvent(ticket_id=t.ticket_id, type=event_type, created_at=now,
                        data={"metric": t.metric, "policy": t.policy,
                              "due_at": t.due_at.isoformat() if t.due_at else None})
            for t in rows], batch_size=1000)
        return
    sql = _EVENT_SQL_SQLITE.format(
        events=connection.ops.quote_name(TicketEvent._meta.db_table),
        targets=connection.ops.quote_name(SlaTarget._meta.db_table),
        ids=",".join("%s" for _ in target_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [event_type, now, *target_ids])


def _has_actions(kind: str, version_id: int, policy_name: str) -> bool:
    from tierdesk.packs.selectors import pack_for_version

    pack = pack_for_version(version_id)
    rule_event = "sla_breach" if kind == "breach" else "sla_warning"
    if any(rule_event in rule.on for rule in pack.rules):
        return True
    policy = next((p for p in pack.sla_policies if p.name == policy_name), None)
    return bool(policy and (policy.on_breach if kind == "breach" else policy.on_warning))


@transaction.atomic
def run_deferred_actions(payload: dict[str, Any]) -> int:
    """Run the actions a sweep batch queued (the outbox's ``sla_actions`` sender); all or
    nothing, so a retry after a failure never sends an apology twice."""
    from tierdesk.packs.selectors import pack_for_version
    from tierdesk.rules.actions import run_actions
    from tierdesk.rules.engine import on_event

    kind, at = payload["kind"], datetime.fromisoformat(payload["at"])
    rule_event = "sla_breach" if kind == "breach" else "sla_warning"
    by_version: dict[int, list] = defaultdict(list)
    for clock_row in payload["clocks"]:
        by_version[clock_row[3]].append(clock_row)
    tickets = Ticket.objects.select_related("requester", "organisation", "tier").in_bulk(
        [c[0] for c in payload["clocks"]])
    cache: dict = {}
    done = 0
    with outbox.collect():
        for version_id, clocks in by_version.items():
            pack = pack_for_version(version_id)
            policies = {p.name: p for p in pack.sla_policies}
            listens = any(rule_event in rule.on for rule in pack.rules)
            for ticket_id, metric, policy_name, _, target_minutes in clocks:
                ticket = tickets.get(ticket_id)
                if ticket is None:
                    continue
                if listens:
                    on_event(ticket=ticket, event=rule_event, now=at)
                policy = policies.get(policy_name)
                actions = (policy.on_breach if kind == "breach" else policy.on_warning) \
                    if policy else []
                if actions:
                    what = "breached" if kind == "breach" else "about to breach"
                    run_actions(pack=pack, ticket=ticket, actions=actions, at=at,
                                cause=f"SLA {metric.replace('_', ' ')} {what}",
                                values={"metric": metric,
                                        "target_minutes": target_minutes},
                                cache=cache)
                done += 1
    return done

