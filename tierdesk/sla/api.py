"""A ticket's SLA: targets, due times, business time used and breach state."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.sla import replay
from tierdesk.sla.calendars import calendar_for_spec
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import sla_state
from tierdesk.tickets.selectors import ticket_get

router = Router(tags=["sla"])


class ClockOut(Schema):
    metric: str
    state: str
    target_minutes: int
    elapsed_business_minutes: float
    remaining_business_minutes: float
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached: bool
    breached_at: datetime | None
    warned_at: datetime | None


class SlaOut(Schema):
    ticket_id: int
    policy: str | None
    pack: str | None
    pack_version: int | None
    calendar: str | None
    clocks: list[ClockOut]


@router.get("/{int:ticket_id}/sla", response=SlaOut)
def ticket_sla(request: HttpRequest, ticket_id: int):
    """The ticket's SLA clocks as of now, replayed from its audit events."""
    ticket = ticket_get(viewer=viewer_for(request.auth), ticket_id=ticket_id)
    now = clock.now()
    state = sla_state(ticket)
    rows = {t.metric: t for t in SlaTarget.objects.filter(ticket=ticket)
            .select_related("pack_version")}
    calendar = calendar_for_spec(state.calendar) if state.calendar else None
    clocks = []
    for metric in replay.METRICS:
        c = state.clocks.get(metric)
        row = rows.get(metric)
        if c is None or c.target_s is None or calendar is None:
            continue
        used = state.elapsed(metric, now.timestamp(), calendar)
        clocks.append({
            "metric": metric, "state": c.state, "target_minutes": int(c.target_s // 60),
            "elapsed_business_minutes": round(used / 60, 2),
            "remaining_business_minutes": round((c.target_s - used) / 60, 2),
            "due_at": row.due_at if row else None, "warn_at": row.warn_at if row else None,
            "met_at": row.met_at if row else None,
            "breached": bool(row and row.breached_at) or c.breached(now.timestamp()),
            "breached_at": row.breached_at if row else None,
            "warned_at": row.warned_at if row else None,
        })
    version = next((r.pack_version for r in rows.values()), None)
    return {
        "ticket_id": ticket.pk, "policy": state.policy,
        "pack": version.name if version else None,
        "pack_version": version.version if version else None,
        "calendar": (state.calendar or {}).get("name"), "clocks": clocks,
    }
