"""The SLA sweep: find clocks whose warning or deadline has passed, claim them, act.

It reads only the partial ``due_at``/``warn_at`` indexes, so its cost follows the number
of clocks due, not the number of open tickets; claims are conditional updates inside one
transaction per batch, so two sweeps never act twice on one clock.
"""

import logging
from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction

from tierdesk import clock
from tierdesk.rules.actions import run_actions
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import TicketEvent

log = logging.getLogger(__name__)
BATCH = 2000


def sla_sweep(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Emit every due warning and breach; return how many clocks were acted on."""
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
    qs = _due(kind, now)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    rows = list(qs.select_related("ticket", "ticket__requester", "ticket__organisation")
                [:batch])
    if not rows:
        return 0
    ids = [r.pk for r in rows]
    field = "breached_at" if kind == "breach" else "warned_at"
    SlaTarget.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    event_type = "sla_breached" if kind == "breach" else "sla_warning"
    TicketEvent.objects.bulk_create([
        TicketEvent(ticket_id=r.ticket_id, type=event_type, created_at=now,
                    data={"metric": r.metric, "policy": r.policy,
                          "due_at": r.due_at.isoformat() if r.due_at else None})
        for r in rows
    ], batch_size=1000)
    _run_policy_actions(kind, rows, now)
    return len(rows)


def _run_policy_actions(kind: str, rows: list[SlaTarget], now: datetime) -> None:
    """Run the matched policy's ``on_breach``/``on_warning`` actions for each clock."""
    from tierdesk.packs.selectors import pack_for_version

    by_version: dict[int, list[SlaTarget]] = defaultdict(list)
    for row in rows:
        by_version[row.pack_version_id].append(row)
    from tierdesk.rules.engine import on_event

    rule_event = "sla_breach" if kind == "breach" else "sla_warning"
    for version_id, group in by_version.items():
        pack = pack_for_version(version_id)
        policies = {p.name: p for p in pack.sla_policies}
        listens = any(rule_event in rule.on for rule in pack.rules)
        for row in group:
            if listens:
                on_event(ticket=row.ticket, event=rule_event, now=now)
            policy = policies.get(row.policy)
            actions = (policy.on_breach if kind == "breach" else policy.on_warning) \
                if policy else []
            if not actions:
                continue
            what = "breached" if kind == "breach" else "about to breach"
            cause = f"SLA {row.metric.replace('_', ' ')} {what}"
            run_actions(pack=pack, ticket=row.ticket, actions=actions, at=now, cause=cause,
                        values={"sla": f"{row.target_minutes // 60}h" if row.target_minutes >= 60
                                else f"{row.target_minutes}m"})

