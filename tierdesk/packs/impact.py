"""Dry run of a new pack against open tickets: whose due times would move, by how much,
and which open tickets use something the new pack drops. Nothing is written."""

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tierdesk import clock
from tierdesk.policy.durations import shift_words
from tierdesk.sla import replay
from tierdesk.sla.calendars import calendar_for_spec
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import desired_targets, event_views
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.statuses import UNRESOLVED

DRY_RUN_VERSION = -1


@dataclass(frozen=True)
class Move:
    """One clock of one ticket whose deadline the new pack moves (None: no deadline)."""

    ticket_id: int
    subject: str
    metric: str
    old_due: datetime | None
    new_due: datetime | None


@dataclass
class Impact:
    open_tickets: int = 0
    moved: int = 0
    shifts: list[float] = field(default_factory=list)  # seconds, + later / - earlier
    gained: int = 0  # clocks the new pack adds
    lost: int = 0  # clocks the new pack removes
    moves: list[Move] = field(default_factory=list)


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
        after = None if c.due_at is None else datetime.fromtimestamp(c.due_at, UTC)
        if before is None and after is not None:
            result.gained += 1
        elif before is not None and after is None and c.state == replay.RUNNING:
            result.lost += 1
        elif before is not None and after is not None and abs(
                shift := (after - before).total_seconds()) >= 1:
            result.shifts.append(shift)
        else:
            continue
        moved = True
        result.moves.append(Move(ticket.pk, ticket.subject, metric, before, after))
    return moved


def dropped_in_use(old: Any, new: Any) -> list[str]:
    """Return a warning for each priority, plan, tier or channel the new pack drops while
    open tickets still use it (they would lose their SLA or their route)."""
    open_tickets = Ticket.objects.filter(status__in=UNRESOLVED)
    checks = [
        ("priority", old.priority_codes, new.priority_codes, "priority"),
        ("plan", old.plans, new.plans, "organisation__plan"),
        ("tier", [t.code for t in old.tiers], [t.code for t in new.tiers], "tier__code"),
        ("channel", list(old.channels), list(new.channels), "channel"),
    ]
    warnings = []
    for what, before, after, column in checks:
        dropped = [name for name in before if name not in after]
        if not dropped:
            continue
        counts = dict(_counts(open_tickets.filter(**{f"{column}__in": dropped}), column))
        for name in dropped:
            if counts.get(name):
                warnings.append(f"warning: the new pack drops {what} {name!r}, which "
                                f"{counts[name]} open ticket(s) use")
    return warnings


def _counts(qs, column: str) -> list[tuple[str, int]]:
    from django.db.models import Count

    return list(qs.values_list(column).annotate(n=Count("id")).order_by())


def _when(value: datetime | None) -> str:
    return "none" if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M}"


def format_impact(impact: Impact, *, tickets: bool = False) -> str:
    """Return the dry run's summary; ``tickets`` adds one line per clock that moves."""
    lines = [f"dry run against {impact.open_tickets} open ticket(s): "
             f"{impact.moved} would have due times moved"]
    if impact.shifts:
        s = impact.shifts
        if min(s) == max(s):
            lines.append(f"  {len(s)} deadline(s) move {shift_words(s[0])}")
        else:
            lines.append(f"  {len(s)} deadline(s) move from {shift_words(min(s))} to "
                         f"{shift_words(max(s))} (median {shift_words(statistics.median(s))})")
    if impact.gained:
        lines.append(f"  {impact.gained} clock(s) gain a deadline")
    if impact.lost:
        lines.append(f"  {impact.lost} running clock(s) lose their deadline")
    if tickets and impact.moves:
        lines.append("tickets that move (due times in UTC):")
        for m in impact.moves:
            if m.old_due is not None and m.new_due is not None:
                how = shift_words((m.new_due - m.old_due).total_seconds())
            else:
                how = "gains a deadline" if m.old_due is None else "loses its deadline"
            lines.append(f"  #{m.ticket_id} {m.subject!r} {m.metric.replace('_', ' ')}: "
                         f"{_when(m.old_due)} -> {_when(m.new_due)} ({how})")
    return "\n".join(lines)
