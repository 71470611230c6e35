"""Ticket endpoints: parse, resolve ids under the caller's scope, call a service, answer."""

from django.http import FileResponse, HttpRequest
from ninja import Field as NinjaField
from ninja import File, Header, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from tierdesk.api.rendering import model_response
from tierdesk.common import cursors
from tierdesk.common.errors import Forbidden, Gone, NotFound, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId
from tierdesk.customers.models import Contact
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.tickets import attachments, following, knowledge, selectors, services
from tierdesk.tickets.models import Attachment, Channel, Message, Status, Ticket
from tierdesk.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    EventOut,
    KnowledgeIn,
    MergeIn,
    MessageOut,
    NoteIn,
    ReplyIn,
    TicketCreateIn,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
    ticket_dict,
)

router = Router(tags=["tickets"])


class TicketFilters(Schema):
    status: Status | None = None
    priority: str | None = None
    channel: Channel | None = None
    category: str | None = None
    error_code: str | None = None
    language: str | None = None
    group_id: DbId | None = None
    assignee_id: DbId | None = None
    organisation_id: DbId | None = None
    requester_id: DbId | None = None
    tag: str | None = None
    q: str | None = NinjaField(default=None, max_length=200)
    cursor: str | None = None
    limit: int = NinjaField(default=50, ge=1, le=200)


def _viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.auth)


def _ticket(request: HttpRequest, ticket_id: int):
    return selectors.ticket_get(viewer=_viewer(request), ticket_id=ticket_id)


def _after_write(ticket_id: int) -> dict:
    """The ticket as the change left it, even if the change moved it out of the caller's
    queues (an escalation): they just acted on it, and a 404 would hide the outcome."""
    return ticket_dict(Ticket.objects.select_related(*selectors.LIST_RELATED).get(pk=ticket_id))


@router.post("", response={201: TicketOut, 200: TicketOut})
def create_ticket(request: HttpRequest, payload: TicketCreateIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Open a ticket. Send an ``Idempotency-Key`` header to make retries safe."""
    viewer = _viewer(request)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise ServiceError("Idempotency-Key must be 1-255 characters", field="Idempotency-Key")
    if viewer.is_agent:
        if payload.requester_id is None:
            raise ServiceError("agents must name the requester", field="requester_id")
        requester = get_or_404(Contact, "requester_id", related=("organisation",),
                               pk=payload.requester_id)
    elif viewer.is_customer:
        if payload.requester_id not in (None, viewer.contact.pk):
            raise Forbidden("customers open tickets for themselves", field="requester_id")
        requester = viewer.contact
    else:
        raise Forbidden("this account is neither an agent nor a customer contact")
    group = get_or_404(Group, "group_id", pk=payload.group_id) if payload.group_id else None
    data = payload.model_dump()
    ticket, created = services.ticket_create(
        viewer=viewer, subject=payload.subject, body=payload.body, body_html=payload.body_html,
        requester=requester, channel=payload.channel, priority=payload.priority,
        category=payload.category, error_code=payload.error_code, language=payload.language,
        tags=payload.tags, custom_fields=payload.custom_fields, group=group,
        idempotency_key=idempotency_key, fingerprint=services.request_fingerprint(data),
        # an agent who names the queue has routed it; anyone else's goes to a speaker
        route_language=group is None,
    )
    if not created:
        return Reply(200, _after_write(ticket.pk))  # the first request's ticket, as it is now
    return model_response(TicketOut.model_validate(ticket_dict(ticket)), status=201)


@router.get("", response=TicketPage)
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]):
    """List visible tickets, newest first; follow ``next_cursor`` for the next page.

    With ``q``, a full-text search of subject, messages, error code and tags (internal
    notes for agents only): every word must match, best match first."""
    if filters.q:
        offset = cursors.decode(filters.cursor, kind="rank") or 0
        items = selectors.ticket_search(viewer=_viewer(request), filters=filters.model_dump(),
                                        offset=offset, limit=filters.limit + 1)
        more = len(items) > filters.limit
        following = cursors.encode(offset + filters.limit, kind="rank") if more else None
    else:
        items = selectors.ticket_list(
            viewer=_viewer(request), filters=filters.model_dump(),
            after_id=cursors.decode(filters.cursor), limit=filters.limit + 1,
        )
        more = len(items) > filters.limit
        following = cursors.encode(items[filters.limit - 1]["id"]) if more else None
    items = items[: filters.limit]
    return model_response(TicketPage.model_validate(
        {"items": items, "next_cursor": following}))


@router.get("/{int:ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int):
    return ticket_dict(_ticket(request, ticket_id))


@router.patch("/{int:ticket_id}", response=TicketOut)
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketUpdateIn):
    """Change fields (agents). ``assignee_id: null`` unassigns."""
    viewer = _viewer(request)
    ticket = _ticket(request, ticket_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    if not viewer.is_agent:
        raise Forbidden("only agents may edit tickets")
    if "group_id" in data:
        gid = data.pop("group_id")
        data["group"] = get_or_404(Group, "group_id", pk=gid) if gid is not None else None
    if "assignee_id" in data:
        aid = data.pop("assignee_id")
        data["assignee"] = get_or_404(Agent, "assignee_id", pk=aid) if aid is not None else None
    if "tier" in data:
        code = data["tier"]
        data["tier"] = get_or_404(Tier, "tier", code=code) if code is not None else None
    for field in ("subject", "priority", "status", "tags", "custom_fields", "category",
                  "error_code", "language"):
        if field in data and data[field] is None:
            raise ServiceError(f"{field} cannot be null", field=field)
    services.ticket_update(ticket=ticket, viewer=viewer, changes=data, reason=reason)
    return _after_write(ticket_id)


@router.post("/{int:ticket_id}/replies", response={201: MessageOut})
def reply(request: HttpRequest, ticket_id: int, payload: ReplyIn):
    """Add a public reply (the requester sees it and, from an agent, is mailed it)."""
    ticket = _ticket(request, ticket_id)
    message = services.ticket_reply(ticket=ticket, viewer=_viewer(request), body=payload.body,
                                    body_html=payload.body_html)
    return Reply(201, message)


@router.post("/{int:ticket_id}/notes", response={201: MessageOut})
def add_note(request: HttpRequest, ticket_id: int, payload: NoteIn):
    """Add an internal note (agents only)."""
    ticket = _ticket(request, ticket_id)
    return Reply(201, services.ticket_add_note(ticket=ticket, viewer=_viewer(request),
                                                body=payload.body))


@router.get("/{int:ticket_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, ticket_id: int):
    """The conversation; customers see public replies only."""
    ticket = _ticket(request, ticket_id)
    return list(selectors.ticket_messages(viewer=_viewer(request), ticket=ticket))


@router.post("/{int:ticket_id}/messages/{int:message_id}/attachments",
             response={201: AttachmentOut})
def upload_attachment(request: HttpRequest, ticket_id: int, message_id: int,
                      file: File[UploadedFile]):
    """Attach a file (multipart field ``file``) to a message of the ticket."""
    ticket = _ticket(request, ticket_id)
    message = get_or_404(Message, "message_id", pk=message_id, ticket=ticket)
    return Reply(201, attachments.attachment_add(ticket=ticket, message=message,
                                                 viewer=_viewer(request), upload=file))


@router.get("/{int:ticket_id}/attachments/{int:attachment_id}")
def download_attachment(request: HttpRequest, ticket_id: int, attachment_id: int):
    """The file itself, always as a download (never rendered inline by the browser)."""
    viewer = _viewer(request)
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    attachment = Attachment.objects.select_related("message").filter(
        pk=attachment_id, message__ticket=ticket).first()
    if attachment is None or not attachments.attachment_visible(attachment=attachment,
                                                                viewer=viewer):
        raise NotFound(f"attachment {attachment_id} not found", field="attachment_id")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Gone(f"the file of attachment {attachment_id} ({attachment.filename}) is "
                   "missing from storage; restore it from a backup",
                   field="attachment_id") from None
    response = FileResponse(handle, as_attachment=True,
                            filename=attachment.filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/{int:ticket_id}/assign", response=TicketOut)
def assign(request: HttpRequest, ticket_id: int, payload: AssignIn):
    viewer = _viewer(request)
    ticket = _ticket(request, ticket_id)
    if not viewer.is_agent:
        raise Forbidden("only agents may assign tickets")
    assignee = (get_or_404(Agent, "assignee_id", pk=payload.assignee_id)
                if payload.assignee_id is not None else None)
    group = get_or_404(Group, "group_id", pk=payload.group_id) if payload.group_id else None
    services.ticket_assign(ticket=ticket, viewer=viewer, assignee=assignee, group=group)
    return _after_write(ticket_id)


@router.post("/{int:ticket_id}/merge", response=TicketOut)
def merge(request: HttpRequest, ticket_id: int, payload: MergeIn):
    """Merge this ticket into ``target_id``; both must be visible to the agent."""
    viewer = _viewer(request)
    source = _ticket(request, ticket_id)
    if not viewer.is_agent:
        raise Forbidden("only agents may merge tickets")
    target = selectors.ticket_get(viewer=viewer, ticket_id=payload.target_id)
    services.ticket_merge(source=source, target=target, viewer=viewer)
    return _after_write(payload.target_id)


@router.get("/{int:ticket_id}/events", response=list[EventOut])
def list_events(request: HttpRequest, ticket_id: int):
    """The audit log of one ticket (agents only)."""
    viewer = _viewer(request)
    ticket = _ticket(request, ticket_id)
    if not viewer.is_agent:
        raise Forbidden("only agents may read the audit log")
    return list(selectors.ticket_events(ticket=ticket))


@router.post("/{int:ticket_id}/knowledge", response={201: EventOut})
def link_knowledge(request: HttpRequest, ticket_id: int, payload: KnowledgeIn):
    """Link the KB article for this fix, or waive it with a reason (agents); the pack may
    require one before an escalated code fix closes."""
    ticket = _ticket(request, ticket_id)
    return Reply(201, knowledge.ticket_link_kb(ticket=ticket, viewer=_viewer(request),
                                               article=payload.article, waiver=payload.waiver))


class FollowOut(Schema):
    following: bool


@router.post("/{int:ticket_id}/follow", response=FollowOut)
def follow(request: HttpRequest, ticket_id: int):
    """Follow the ticket (agents): it stays visible to you wherever it is routed."""
    following.ticket_follow(ticket=_ticket(request, ticket_id), viewer=_viewer(request))
    return {"following": True}


@router.delete("/{int:ticket_id}/follow", response=FollowOut)
def unfollow(request: HttpRequest, ticket_id: int):
    following.ticket_unfollow(ticket=_ticket(request, ticket_id), viewer=_viewer(request))
    return {"following": False}
