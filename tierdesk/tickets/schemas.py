"""API shapes for tickets: one input schema per write, one output shape per resource."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel

from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.tickets.models import Channel, Status


# Ticket output models are plain pydantic models fed with ``ticket_dict``: ninja's
# ``Schema`` wraps every nested object in an ORM getter, the largest cost of a list page.
class ContactRef(BaseModel):
    id: int
    name: str
    email: str


class OrganisationRef(BaseModel):
    id: int
    name: str
    external_id: str | None


class NamedRef(BaseModel):
    id: int
    name: str


class TicketOut(BaseModel):
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


def ticket_dict(t) -> dict[str, Any]:
    """Return a ticket (with its relations loaded) in the shape of ``TicketOut``."""
    org, group, assignee, requester = t.organisation, t.group, t.assignee, t.requester
    return {
        "id": t.pk, "subject": t.subject, "status": t.status, "priority": t.priority,
        "channel": t.channel, "category": t.category, "error_code": t.error_code,
        "language": t.language, "tags": t.tags, "custom_fields": t.custom_fields,
        "requester": {"id": requester.pk, "name": requester.name, "email": requester.email},
        "organisation": None if org is None else {
            "id": org.pk, "name": org.name, "external_id": org.external_id},
        "group": None if group is None else {"id": group.pk, "name": group.name},
        "assignee": None if assignee is None else {
            "id": assignee.pk,
            "name": assignee.user.get_full_name() or assignee.user.username},
        "tier": t.tier.code if t.tier_id else None, "merged_into_id": t.merged_into_id,
        "created_at": t.created_at, "updated_at": t.updated_at,
        "first_responded_at": t.first_responded_at, "solved_at": t.solved_at,
        "closed_at": t.closed_at,
    }


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


class TicketCreateIn(StrictIn):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000)
    body_html: str = Field(default="", max_length=500_000)
    requester_id: DbId | None = Field(default=None, description="agents: who the ticket is for")
    channel: Channel = Channel.API
    priority: str = Field(default="", max_length=16)
    category: str = Field(default="", max_length=64)
    error_code: str = Field(default="", max_length=32)
    language: str = Field(default="", max_length=8)
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    group_id: DbId | None = None


class TicketUpdateIn(StrictIn):
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    priority: str | None = Field(default=None, max_length=16)
    status: Status | None = None
    category: str | None = Field(default=None, max_length=64)
    error_code: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    group_id: DbId | None = None
    assignee_id: DbId | None = None
    tier: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=500)


class ReplyIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)
    body_html: str = Field(default="", max_length=500_000)


class NoteIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)


class KnowledgeIn(StrictIn):
    """Exactly one: the KB article (URL or id) that holds the fix, or why none is written."""

    article: str = Field(default="", max_length=2000)
    waiver: str = Field(default="", max_length=5000)


class AssignIn(StrictIn):
    assignee_id: DbId | None
    group_id: DbId | None = None


class MergeIn(StrictIn):
    target_id: DbId


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    kind: str
    author_id: int | None
    body_text: str
    body_html: str
    channel: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj) -> list:
        # Prefetched by the list; a new message has none yet.
        return list(obj.attachments.all()) if obj.pk else []


class EventOut(Schema):
    id: int
    type: str
    actor_id: int | None
    actor: str | None = Field(None, description="who did it: username (None: the platform)")
    actor_name: str | None = Field(None, description="their full name, else username")
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    @staticmethod
    def resolve_actor_name(obj) -> str | None:
        return (obj.actor.get_full_name() or obj.actor.username) if obj.actor_id else None
