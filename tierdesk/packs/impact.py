"""Dry run of a new pack against open tickets: whose due times would move, and how far."""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tierdesk import clock
from tierdesk.sla import replay
from tierdesk.sla.calendars import calendar_for_spec
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import desired_targets, event_views
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.statuses import UNRESOLVED

DRY_RUN_VERSION = -1


@dataclass
class Impact:
    open_tickets: int = 0
    moved: int = 0
    shifts: list[float] = field(default_factory=list)  # seconds, + later / - earlier
    gained: int = 0  # clocks the new pack adds
    lost: int = 0  # clocks the new pack removes


def impact_on_open_tickets(pack: Any, batch: int = 1000) -> Impact:
    """Replay each open ticket with the new pack's targets as of now; nothing is written."""
    now = clock.now()
    result = Impact()
    qs = (Ticket.objects.filter(status__in=UNRESOLVED)
          .select_related("organisation", "tier").order_by("id"))
    last_id = 0
    while True:
        tickets = list(qs.filter(pk__gt=last_id)[:batch])
        if not tickets:
            return result
        last_id = tickets[-1].pk
        current = {(t.ticket_id, t.metric): t.due_at for t in
                   SlaTarget.objects.filter(ticket_id__in=[t.pk for t in tickets])}
        for ticket in tickets:
            result.open_tickets += 1
            result.moved += _compare(ticket, pack, now, current, result)


def _compare(ticket: Ticket, pack: Any, now, current: dict, result: Impact) -> bool:
    desired = desired_targets(ticket, pack, DRY_RUN_VERSION)
    views = [*event_views(ticket), replay.Event("sla_targets_set", now.timestamp(), desired)]
    state = replay.evaluate(views, calendar_for_spec)
    moved = False
    for metric, c in state.clocks.items():
        before = current.get((ticket.pk, metric))
        after = c.due_at
        if before is None and after is not None:
            result.gained += 1
            moved = True
        elif before is not None and after is None and c.state == replay.RUNNING:
            result.lost += 1
            moved = True
        elif before is not None and after is not None:
            shift = after - before.timestamp()
            if abs(shift) >= 1:
                result.shifts.append(shift)
                moved = True
    return moved


def _fmt(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    return sign + str(timedelta(seconds=round(abs(seconds))))


def format_impact(impact: Impact) -> str:
    lines = [f"dry run against {impact.open_tickets} open ticket(s): "
             f"{impact.moved} would have due times moved"]
    if impact.shifts:
        s = impact.shifts
        lines.append(f"  {len(s)} deadline(s) shift: earliest {_fmt(min(s))}, "
                     f"median {_fmt(statistics.median(s))}, latest {_fmt(max(s))}")
    if impact.gained:
        lines.append(f"  {impact.gained} clock(s) gain a deadline")
    if impact.lost:
        lines.append(f"  {impact.lost} running clock(s) lose their deadline")
    return "\n".join(lines)
