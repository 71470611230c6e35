"""Input and output shapes of the KB, handle-time and bot endpoints."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from tierdesk.common.schemas import StrictIn

Language = Literal["en", "ar", "es", "fr"]


class ArticleCreateIn(StrictIn):
    language: Language = "en"
    title: str = Field(max_length=300)
    body: str = Field(max_length=100_000)
    category: str = Field(default="", max_length=64)
    error_codes: list[str] = Field(default_factory=list, max_length=20)
    visibility: Literal["public", "internal"] = "public"
    task_id: int | None = Field(default=None, ge=1)


class ArticleEditIn(StrictIn):
    language: Language = "en"
    title: str = Field(max_length=300)
    body: str = Field(max_length=100_000)
    note: str = Field(default="", max_length=500)
    category: str | None = Field(default=None, max_length=64)
    error_codes: list[str] | None = Field(default=None, max_length=20)
    visibility: Literal["public", "internal"] | None = None


class ReviewIn(StrictIn):
    step: str = Field(max_length=64)
    approve: bool
    comment: str = Field(default="", max_length=5000)


class FeedbackIn(StrictIn):
    helpful: bool
    language: Language = "en"
    comment: str = Field(default="", max_length=2000)


class VersionOut(Schema):
    language: str
    title: str
    body_md: str
    body_html: str
    revision: int
    direction: str


class ArticleOut(Schema):
    id: int
    reference: str
    status: str
    visibility: str
    category: str
    error_codes: list[str]
    views: int
    helpful_yes: int
    helpful_no: int
    published_at: datetime | None
    versions: list[VersionOut]


class HitOut(Schema):
    id: int
    language: str
    title: str
    error_codes: list[str]
    matched_error_code: bool
    url: str


class ReviewOut(Schema):
    step: str
    decision: str
    reviewer: str
    round: int
    comment: str


class RevisionOut(Schema):
    language: str
    number: int
    title: str
    author: str | None
    note: str
    created_at: datetime
    diff: list[str]


class TaskOut(Schema):
    id: int
    kind: str
    state: str
    title: str
    ticket_id: int | None
    error_code: str
    month: str
    assignee: str | None
    role: str
    article_id: int | None
    due_at: datetime | None
    overdue: bool


class TaskCloseIn(StrictIn):
    reason: str = Field(max_length=500)


class TimeLogIn(StrictIn):
    minutes: int = Field(ge=1, le=24 * 60)
    note: str = Field(default="", max_length=500)


class TimeOut(Schema):
    ticket_id: int
    seconds_by_agent: dict[str, int]
    total_seconds: int


class BeatOut(Schema):
    gathered_seconds: int


class AskIn(StrictIn):
    question: str = Field(max_length=2000)
    language: Language | Literal[""] = ""


class AnswerIn(StrictIn):
    solved: bool
    message: str = Field(default="", max_length=2000)


class ConversationOut(Schema):
    id: int
    language: str
    outcome: str
    handoff_reason: str
    ticket_id: int | None
    articles: list[int]
    transcript: list[dict]
