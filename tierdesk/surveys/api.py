"""Survey endpoints for agents and managers. Customers answer through the signed link
in their mail (a public page, ``/survey/<token>/``), never through this token API."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tierdesk.common.errors import Forbidden, NotFound, ServiceError
from tierdesk.common.schemas import StrictIn
from tierdesk.customers.models import Organisation
from tierdesk.people.access import viewer_for
from tierdesk.surveys import selectors, services
from tierdesk.surveys.models import NpsSchedule, Survey, SurveyKind

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    kind: str
    ticket_id: int | None
    contact_id: int
    language: str
    state: str
    skip_reason: str
    sent_at: datetime | None
    answered_at: datetime | None
    score: int | None
    comment: str | None

    @staticmethod
    def resolve_score(obj: Survey) -> int | None:
        response = getattr(obj, "response", None) if obj.answered_at else None
        return response.score if response else None

    @staticmethod
    def resolve_comment(obj: Survey) -> str | None:
        response = getattr(obj, "response", None) if obj.answered_at else None
        return response.comment if response else None


class StatsOut(Schema):
    kind: str
    sent: int
    answered: int
    response_rate: float | None
    average: float | None
    satisfied_share: float | None
    nps: float | None
    low: int
    low_followed_up_in_time: float | None


class NpsScheduleIn(StrictIn):
    active: bool = True
    every_days: int | None = Field(None, ge=1, le=3650)
    next_at: datetime | None = None


class NpsScheduleOut(Schema):
    organisation_id: int
    active: bool
    every_days: int | None
    next_at: datetime
    last_sent_at: datetime | None


def _agent(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("survey results are for agents")
    return viewer


def _manager(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if not viewer.is_manager:
        raise Forbidden("this is for managers")
    return viewer


@router.get("", response=list[SurveyOut])
def list_surveys(request: HttpRequest, ticket_id: int | None = None):
    """Surveys on the tickets the agent may see, with their answers."""
    return list(selectors.surveys_visible_to(_agent(request), ticket_id=ticket_id)[:500])


@router.get("/report", response=StatsOut)
def survey_report(request: HttpRequest, kind: str = SurveyKind.CSAT,
                  since: datetime | None = None, until: datetime | None = None,
                  organisation_id: int | None = None):
    """Response rate, average score, CSAT % or NPS, and how fast low scores were
    followed up, for surveys sent in [since, until) (managers)."""
    _manager(request)
    if kind not in SurveyKind.values:
        raise ServiceError(f"kind must be one of {', '.join(SurveyKind.values)}", field="kind")
    return selectors.survey_stats(kind=kind, since=since, until=until,
                                  organisation_id=organisation_id)


@router.post("/nps/organisations/{int:organisation_id}", response=NpsScheduleOut)
def set_nps_schedule(request: HttpRequest, organisation_id: int, payload: NpsScheduleIn):
    """Put an organisation on the NPS calendar (managers)."""
    viewer = _manager(request)
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        raise NotFound("no such organisation")
    return services.nps_schedule_set(viewer=viewer, organisation=org, active=payload.active,
                                     every_days=payload.every_days, next_at=payload.next_at)


@router.get("/nps/organisations/{int:organisation_id}", response=NpsScheduleOut)
def get_nps_schedule(request: HttpRequest, organisation_id: int):
    _manager(request)
    schedule = NpsSchedule.objects.filter(organisation_id=organisation_id).first()
    if schedule is None:
        raise NotFound("this organisation has no NPS schedule")
    return schedule
