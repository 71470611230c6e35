"""Escalation endpoints: up (with criteria and handoff), down, resolution, and reports."""

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.common.schemas import StrictIn
from tierdesk.escalation import services
from tierdesk.escalation.models import Escalation
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import viewer_for
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.schemas import TicketOut, ticket_dict
from tierdesk.tickets.selectors import LIST_RELATED, ticket_get, tickets_visible_to

router = Router(tags=["escalation"])


class EscalateIn(StrictIn):
    to: str = Field(min_length=1, max_length=64, description="a tier or unit code")
    criteria: list[str] = Field(default_factory=list, max_length=20)
    handoff: dict[str, str] = Field(default_factory=dict)
    note: str = Field(default="", max_length=5000)


class DeEscalateIn(StrictIn):
    to: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=5000)


class ResolutionIn(StrictIn):
    message: str = Field(min_length=1, max_length=100_000)
    verified: bool = False


class EscalationOut(Schema):
    id: int
    ticket_id: int
    direction: str
    from_tier: str
    to: str
    criteria: list[str]
    handoff: dict[str, Any]
    note: str
    actor_id: int | None
    at: datetime


class CriterionOut(Schema):
    code: str
    label: str


class PolicyOut(Schema):
    tiers: list[str]
    units: list[str]
    criteria: list[CriterionOut]
    handoff_fields: dict[str, str]
    handoff_requires: list[str]


class ReportRow(Schema):
    key: str
    count: int


class ReportOut(Schema):
    total: int
    by_criterion: list[ReportRow]
    by_destination: list[ReportRow]


def _agent(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents may escalate tickets")
    return viewer


@router.post("/tickets/{int:ticket_id}/escalations", response={201: EscalationOut})
def escalate(request: HttpRequest, ticket_id: int, payload: EscalateIn):
    """Escalate up a tier or to a unit; the pack decides what the handoff must contain."""
    viewer = _agent(request)
    ticket = ticket_get(viewer=viewer, ticket_id=ticket_id)
    return Reply(201, services.ticket_escalate(
        ticket=ticket, viewer=viewer, to=payload.to, criteria=payload.criteria,
        handoff=payload.handoff, note=payload.note))


@router.post("/tickets/{int:ticket_id}/de-escalations", response={201: EscalationOut})
def de_escalate(request: HttpRequest, ticket_id: int, payload: DeEscalateIn):
    viewer = _agent(request)
    ticket = ticket_get(viewer=viewer, ticket_id=ticket_id)
    return Reply(201, services.ticket_de_escalate(ticket=ticket, viewer=viewer, to=payload.to,
                                                  note=payload.note))


@router.post("/tickets/{int:ticket_id}/resolution", response=TicketOut)
def resolution(request: HttpRequest, ticket_id: int, payload: ResolutionIn):
    """Tell the customer the fix; ``verified`` closes the ticket (they confirmed it)."""
    viewer = _agent(request)
    ticket = ticket_get(viewer=viewer, ticket_id=ticket_id)
    services.ticket_communicate_resolution(
        ticket=ticket, viewer=viewer, message=payload.message, verified=payload.verified)
    return ticket_dict(Ticket.objects.select_related(*LIST_RELATED).get(pk=ticket_id))


@router.get("/tickets/{int:ticket_id}/escalations", response=list[EscalationOut])
def list_escalations(request: HttpRequest, ticket_id: int):
    viewer = _agent(request)
    ticket = ticket_get(viewer=viewer, ticket_id=ticket_id)
    return list(ticket.escalations.order_by("id"))


@router.get("/escalation/policy", response=PolicyOut)
def policy(request: HttpRequest):
    """The active pack's tiers, units, criteria and handoff fields (for forms)."""
    _agent(request)
    pack = active_pack()
    if pack is None:
        raise ServiceError("no policy pack is active", field="pack")
    esc = pack.escalation
    return {
        "tiers": [t.code for t in pack.tiers], "units": [u.code for u in pack.units],
        "criteria": [{"code": c.code, "label": c.label} for c in (esc.criteria if esc else [])],
        "handoff_fields": dict(esc.handoff_fields) if esc else {},
        "handoff_requires": list(esc.handoff_requires) if esc else [],
    }


class ReportFilters(Schema):
    since: datetime | None = None
    until: datetime | None = None


@router.get("/escalation/report", response=ReportOut)
def report(request: HttpRequest, filters: Query[ReportFilters]):
    """How many escalations, why (criteria) and where to, over the viewer's tickets."""
    viewer = _agent(request)
    qs = Escalation.objects.filter(ticket__in=tickets_visible_to(viewer))
    qs = qs.exclude(direction=Escalation.Direction.DOWN)
    if filters.since:
        qs = qs.filter(at__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__lt=filters.until)
    counts: dict[str, int] = {}
    for criteria in qs.values_list("criteria", flat=True):
        for code in criteria or ["(none)"]:
            counts[code] = counts.get(code, 0) + 1
    by_to = qs.values("to").annotate(n=Count("id")).order_by("-n", "to")
    return {
        "total": qs.count(),
        "by_criterion": [{"key": k, "count": v} for k, v in sorted(counts.items(),
                                                                   key=lambda kv: -kv[1])],
        "by_destination": [{"key": r["to"], "count": r["n"]} for r in by_to],
    }
