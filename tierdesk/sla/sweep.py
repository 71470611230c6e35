"""The SLA sweep: find clocks whose warning or deadline has passed, claim them, record it.

It reads only the partial ``due_at``/``warn_at`` indexes, so its cost follows the number
of clocks due, not the number of open tickets. Claims are conditional updates inside one
transaction per batch, so two sweeps never act twice on one clock.

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
    rows = _claim(kind, now, batch)
    if not rows:
        return 0
    _record_events(kind, [r[0] for r in rows], now)
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
# PostgreSQL claims a batch in one statement (select, lock, mark); the partial indexes'
# predicates are repeated so the planner uses them.
_CLAIM_PG = {
    "breach": ("UPDATE {t} SET breached_at = %s WHERE id IN (SELECT id FROM {t} "
               "WHERE state = 'running' AND breached_at IS NULL AND due_at <= %s "
               "ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING {cols}"),
    "warning": ("UPDATE {t} SET warned_at = %s WHERE id IN (SELECT id FROM {t} "
                "WHERE state = 'running' AND warned_at IS NULL AND breached_at IS NULL "
                "AND warn_at <= %s ORDER BY warn_at LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING {cols}"),
}


def _claim(kind: str, now: datetime, batch: int) -> list[tuple]:
    """Select the batch's due clocks and mark them warned/breached; return their rows."""
    if connection.vendor == "postgresql":
        sql = _CLAIM_PG[kind].format(t=connection.ops.quote_name(SlaTarget._meta.db_table),
                                     cols=", ".join(_COLUMNS))
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, now, batch])
            return cursor.fetchall()
    qs = _due(kind, now)
    rows = list(qs.values_list(*_COLUMNS)[:batch])
    field = "breached_at" if kind == "breach" else "warned_at"
    SlaTarget.objects.filter(pk__in=[r[0] for r in rows], **{f"{field}__isnull": True}) \
        .update(**{field: now})
    return rows


# One INSERT ... SELECT per batch: the events are built by the database from the claimed
# rows, so 10,000 breaches cost a few statements, not 10,000 model objects.
_EVENT_SQL = {
    "sqlite": (
        "INSERT INTO {events} (ticket_id, type, actor_id, data, created_at) "
        "SELECT ticket_id, %s, NULL, json_object('metric', metric, 'policy', policy, "
        "'due_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%S+00:00', due_at)), %s "
        "FROM {targets} WHERE id IN ({ids}) ORDER BY due_at, id"
    ),
    "postgresql": (
        "INSERT INTO {events} (ticket_id, type, actor_id, data, created_at) "
        "SELECT ticket_id, %s, NULL, json_build_object('metric', metric, 'policy', policy, "
        "'due_at', to_char(due_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')), %s "
        "FROM {targets} WHERE id = ANY(%s) ORDER BY due_at, id"
    ),
}


def _record_events(kind: str, target_ids: list[int], now: datetime) -> None:
    event_type = "sla_breached" if kind == "breach" else "sla_warning"
    sql = _EVENT_SQL.get(connection.vendor)
    if sql is None:  # another backend: the portable, slower path
        rows = SlaTarget.objects.filter(pk__in=target_ids).order_by("due_at", "id")
        TicketEvent.objects.bulk_create([
            TicketEvent(ticket_id=t.ticket_id, type=event_type, created_at=now,
                        data={"metric": t.metric, "policy": t.policy,
                              "due_at": t.due_at.isoformat() if t.due_at else None})
            for t in rows], batch_size=1000)
        return
    names = {"events": connection.ops.quote_name(TicketEvent._meta.db_table),
             "targets": connection.ops.quote_name(SlaTarget._meta.db_table)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(**names), [event_type, now, target_ids])
        else:
            cursor.execute(sql.format(**names, ids=",".join("%s" for _ in target_ids)),
                           [event_type, now, *target_ids])


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
                                values={"sla": _human(target_minutes)}, cache=cache)
                done += 1
    return done


def _human(minutes: int) -> str:
    return f"{minutes // 60}h" if minutes >= 60 and minutes % 60 == 0 else f"{minutes}m"
