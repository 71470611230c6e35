"""API shapes for tickets: one input schema per write, one output shape per resource."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from tierdesk.common.schemas import StrictIn
from tierdesk.tickets.models import Channel, Status

ChannelField = Field(default=Channel.API, description="email, portal, chat, phone, slack, ...")


class ContactRef(Schema):
    id: int
    name: str
    email: str


class OrganisationRef(Schema):
    id: int
    name: str
    external_id: str | None


class NamedRef(Schema):
    id: int
    name: str


class TicketOut(Schema):
    id: int
    subject: str
    status: Status
    priority: str
    channel: str
    category: str
    error_code: str
    language: str
    tags: list[str]
    custom_fields: dict[str, Any]
    requester: ContactRef
    organisation: OrganisationRef | None
    group: NamedRef | None
    assignee: NamedRef | None
    tier: str | None
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_assignee(obj) -> dict | None:
        if obj.assignee is None:
            return None
        user = obj.assignee.user
        return {"id": obj.assignee.pk, "name": user.get_full_name() or user.username}

    @staticmethod
    def resolve_tier(obj) -> str | None:
        return obj.tier.code if obj.tier else None


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketCreateIn(StrictIn):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000)
    body_html: str = Field(default="", max_length=500_000)
    requester_id: int | None = Field(default=None, description="agents: who the ticket is for")
    channel: Channel = Channel.API
    priority: str = Field(default="", max_length=16)
    category: str = Field(default="", max_length=64)
    error_code: str = Field(default="", max_length=32)
    language: str = Field(default="", max_length=8)
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    group_id: int | None = None


class TicketUpdateIn(StrictIn):
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    priority: str | None = Field(default=None, max_length=16)
    status: Status | None = None
    category: str | None = Field(default=None, max_length=64)
    error_code: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    tier: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=500)


class ReplyIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)
    body_html: str = Field(default="", max_length=500_000)


class NoteIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)


class AssignIn(StrictIn):
    assignee_id: int | None
    group_id: int | None = None


class MergeIn(StrictIn):
    target_id: int


class MessageOut(Schema):
    id: int
    kind: str
    author_id: int | None
    body_text: str
    body_html: str
    channel: str
    created_at: datetime


class EventOut(Schema):
    id: int
    type: str
    actor_id: int | None
    data: dict[str, Any]
    created_at: datetime
