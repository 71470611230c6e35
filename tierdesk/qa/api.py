"""QA endpoints: the review queue, scoring, an agent's own scores, calibration."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.qa import selectors, services
from tierdesk.qa.models import Review, ReviewItem
from tierdesk.tickets.models import Ticket

router = Router(tags=["qa"])


class QaItemOut(Schema):
    id: int
    ticket_id: int
    subject: str
    agent_id: int
    agent: str
    week: date
    scorecard: str
    calibration: bool
    reviews_needed: int
    reviews_done: int

    @staticmethod
    def resolve_subject(obj: ReviewItem) -> str:
        return obj.ticket.subject

    @staticmethod
    def resolve_agent(obj: ReviewItem) -> str:
        return str(obj.agent)


class QaReviewOut(Schema):
    id: int
    ticket_id: int
    agent_id: int
    reviewer: str
    scorecard: str
    scale: int
    scores: dict[str, int]
    comments: dict[str, str]
    comment: str
    total: float
    passed: bool | None
    created_at: datetime

    @staticmethod
    def resolve_reviewer(obj: Review) -> str:
        return str(obj.reviewer)


class QaReviewIn(StrictIn):
    ticket_id: DbId
    scores: dict[str, int]
    comments: dict[str, str] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=10_000)
    scorecard: str | None = Field(default=None, max_length=64)


def _agent(request: HttpRequest) -> Viewer:
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("QA is for support staff")
    return viewer


def _reviewer(request: HttpRequest) -> Viewer:
    viewer = _agent(request)
    if not services.is_reviewer(viewer, active_pack()):
        raise Forbidden("only QA reviewers and managers may do this")
    return viewer


@router.get("/qa/scorecards")
def scorecards(request: HttpRequest):
    """The active pack's scorecards: what reviewers score and how criteria weigh."""
    _agent(request)
    quality = getattr(active_pack(), "quality", None)
    if quality is None:
        return {"default": None, "scorecards": {}}
    return {"default": quality.default,
            "scorecards": {k: v.model_dump(mode="json") for k, v in quality.scorecards.items()}}


@router.get("/qa/queue", response=list[QaItemOut])
def review_queue(request: HttpRequest):
    """Sampled solved tickets waiting for this reviewer's scores."""
    return selectors.review_queue(viewer=_reviewer(request))


@router.post("/qa/reviews", response={201: QaReviewOut})
def submit_review(request: HttpRequest, payload: QaReviewIn):
    viewer = _reviewer(request)
    ticket = get_or_404(Ticket, "ticket_id", pk=payload.ticket_id)
    review = services.review_submit(viewer=viewer, pack=active_pack(), ticket=ticket,
                                    scores=payload.scores, comments=payload.comments,
                                    comment=payload.comment, scorecard=payload.scorecard)
    return Status(201, review)


@router.get("/qa/reviews/mine")
def my_reviews(request: HttpRequest):
    """The caller's own scores (every agent sees theirs, and only theirs)."""
    viewer = _agent(request)
    if viewer.agent is None:
        raise ServiceError("the platform itself has no scores", field="agent_id")
    reviews = list(selectors.reviews_of(viewer.agent.pk))
    return {**selectors.agent_summary(reviews),
            "reviews": [QaReviewOut.from_orm(r).model_dump(mode="json") for r in reviews]}


@router.get("/qa/reviews", response=list[QaReviewOut])
def list_reviews(request: HttpRequest, agent_id: DbId | None = None):
    """Every review (reviewers and managers), or one agent's: an agent may ask only for
    their own."""
    viewer = _agent(request)
    reviewer = services.is_reviewer(viewer, active_pack())
    own = viewer.agent.pk if viewer.agent else None
    if not reviewer and (agent_id is None or agent_id != own):
        raise Forbidden("agents see only their own QA scores")
    reviews = selectors.reviews_of(agent_id) if agent_id else selectors.all_reviews()
    return list(reviews[:500])


@router.get("/qa/calibration")
def calibration(request: HttpRequest):
    """Tickets two reviewers scored, how far apart they were, and the agreement rate."""
    _reviewer(request)
    return selectors.calibration_report(pack=active_pack())
