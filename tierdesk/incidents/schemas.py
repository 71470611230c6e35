"""API shapes for incidents: strict inputs (unknown fields are refused), plain outputs."""

from datetime import datetime

from ninja import Field, Schema

from tierdesk.common.schemas import StrictIn
from tierdesk.incidents.models import IncidentStatus, PostIncidentReview

# DataFlow: "API outage affecting 100+ customers"; a thousand per call leaves headroom
# while keeping one transaction short. Larger incidents link in several calls.
MAX_TICKETS_PER_LINK = 1000


class IncidentCreateIn(StrictIn):
    title: str = Field(min_length=1, max_length=200)
    severity: str = Field(min_length=1, max_length=16, description="a priority code, e.g. P0")
    summary: str = Field(default="", max_length=10_000,
                         description="public wording, shown on the status page")
    public: bool = Field(default=False, description="show on the public status page")


class LinkTicketsIn(StrictIn):
    ticket_ids: list[int] = Field(min_length=1, max_length=MAX_TICKETS_PER_LINK)


class UpdateIn(StrictIn):
    body: str = Field(min_length=1, max_length=20_000)
    status: IncidentStatus
    # No default on purpose: whether customers read this text is always a decision.
    public: bool = Field(description="shown on the status page and mailed to requesters")
    notify_requesters: bool = True


class ResolveIn(StrictIn):
    body: str = Field(min_length=1, max_length=20_000)
    public: bool
    notify_requesters: bool = True


class ReviewIn(StrictIn):
    root_cause: str = Field(min_length=1, max_length=20_000)
    fix: str = Field(min_length=1, max_length=20_000)
    kb_article_url: str = Field(default="", max_length=500)
    follow_ups: list[str] = Field(default_factory=list, max_length=50)


class IncidentFilters(Schema):
    status: IncidentStatus | None = None
    open: bool | None = Field(default=None, description="true: unresolved; false: resolved")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class ReviewOut(Schema):
    id: int
    root_cause: str
    fix: str
    kb_article_url: str
    follow_ups: list[str]
    author_id: int
    at: datetime


class UpdateOut(Schema):
    id: int
    body: str
    status: IncidentStatus
    public: bool
    author_id: int
    at: datetime
    notified: int


class IncidentOut(Schema):
    id: int
    title: str
    status: IncidentStatus
    severity: str
    public: bool
    summary: str
    started_at: datetime
    resolved_at: datetime | None
    updated_at: datetime
    created_by_id: int
    ticket_count: int
    organisation_count: int


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class IncidentDetailOut(IncidentOut):
    ticket_ids: list[int] = Field(description="linked tickets the caller may open")
    requester_count: int = Field(description="distinct people a public update will reach")
    review: ReviewOut | None

    @staticmethod
    def resolve_review(obj) -> PostIncidentReview | None:
        # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        return getattr(obj, "review", None)
