"""The risk register: flag, read, update, the weekly review, the identification rate."""

from datetime import datetime, timedelta

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tierdesk import clock
from tierdesk.common.errors import Forbidden, NotFound, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.incidents.selectors import incident_get
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.people.models import Agent
from tierdesk.risks import selectors, services
from tierdesk.risks.models import Risk, RiskStatus
from tierdesk.tickets.selectors import ticket_get

router = Router(tags=["risks"])


class RiskOut(Schema):
    id: int
    ticket_id: int | None
    incident_id: int | None
    category: str
    likelihood: str
    impact: str
    score: int
    description: str
    status: str
    owner_id: int | None
    owner: str
    route: str
    flagged_by: str
    review_at: datetime
    created_at: datetime
    closed_at: datetime | None
    resolution: str

    @staticmethod
    def resolve_owner(obj: Risk) -> str:
        return str(obj.owner) if obj.owner else obj.owner_label

    @staticmethod
    def resolve_flagged_by(obj: Risk) -> str:
        return obj.flagged_by.get_username()


class RiskIn(StrictIn):
    ticket_id: DbId | None = None
    incident_id: DbId | None = None
    category: str = Field(min_length=1, max_length=64)
    likelihood: str = Field(min_length=1, max_length=32)
    impact: str = Field(min_length=1, max_length=32)
    description: str = Field(min_length=1, max_length=10_000)


class RiskPatch(StrictIn):
    status: RiskStatus | None = None
    resolution: str | None = Field(default=None, max_length=10_000)
    reviewed: bool = False
    owner_id: DbId | None = None


class RiskReviewOut(Schema):
    since: datetime
    now: datetime
    new: list[RiskOut]
    open: list[RiskOut]
    due: list[RiskOut]


def _agent(request: HttpRequest) -> Viewer:
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("the risk register is for support staff")
    return viewer


def _visible_risk(viewer: Viewer, risk_id: int) -> Risk:
    risk = selectors.risks_visible_to(viewer, active_pack()).filter(pk=risk_id).first()
    if risk is None:
        raise NotFound(f"risk {risk_id} not found", field="risk_id")
    return risk


@router.post("/risks", response={201: RiskOut})
def flag_risk(request: HttpRequest, payload: RiskIn):
    """Any agent flags a ticket or incident they can see as a risk."""
    viewer = _agent(request)
    ticket = ticket_get(viewer=viewer, ticket_id=payload.ticket_id) if payload.ticket_id \
        else None
    incident = incident_get(viewer=viewer, incident_id=payload.incident_id) \
        if payload.incident_id else None
    risk = services.risk_flag(viewer=viewer, pack=active_pack(), ticket=ticket,
                              incident=incident, category=payload.category,
                              likelihood=payload.likelihood, impact=payload.impact,
                              description=payload.description)
    return Status(201, risk)


@router.get("/risks", response=list[RiskOut])
def list_risks(request: HttpRequest, status: RiskStatus | None = None):
    risks = selectors.risks_visible_to(_agent(request), active_pack())
    if status:
        risks = risks.filter(status=status)
    return list(risks[:500])


@router.get("/risks/review", response=RiskReviewOut)
def weekly_review(request: HttpRequest):
    """The weekly risk review: new since the last review day, open, and due."""
    viewer = _agent(request)
    return selectors.weekly_review(viewer=viewer, pack=active_pack(), now=clock.now())


@router.get("/risks/report")
def identification_report(request: HttpRequest, start: datetime | None = None,
                          end: datetime | None = None):
    """The risk identification rate over [start, end] (default: the last 30 days)."""
    viewer = _agent(request)
    if not viewer.is_manager:
        raise Forbidden("reports are for managers")
    end = end or clock.now()
    start = start or end - timedelta(days=30)
    if start >= end:
        raise ServiceError("start must be before end", field="start")
    return selectors.identification_rate(start=start, end=end)


@router.get("/risks/{int:risk_id}", response=RiskOut)
def get_risk(request: HttpRequest, risk_id: int):
    return _visible_risk(_agent(request), risk_id)


@router.patch("/risks/{int:risk_id}", response=RiskOut)
def update_risk(request: HttpRequest, risk_id: int, payload: RiskPatch):
    viewer = _agent(request)
    risk = _visible_risk(viewer, risk_id)
    owner = get_or_404(Agent, "owner_id", pk=payload.owner_id) if payload.owner_id else None
    return services.risk_update(viewer=viewer, pack=active_pack(), risk=risk,
                                status=payload.status, resolution=payload.resolution,
                                reviewed=payload.reviewed, owner=owner)
