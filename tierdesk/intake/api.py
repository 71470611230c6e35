"""Intake endpoints for the live channels other than chat and email:

- ``POST /channels/slack/events``: Slack's Events API (signed by Slack)
- ``POST /channels/slack/tickets/{id}/replies``: an agent answers in the Slack thread
- ``POST /channels/social/inbound``: a social message (signed like our own webhooks)
- ``POST /channels/phone/calls``: an agent logs an inbound call that opens a ticket
- ``POST /channels/phone/tickets/{id}/calls``: an agent logs a call on a ticket
- ``GET /channels/phone/tickets/{id}/calls``: the calls logged on a ticket

The two signed webhooks read the raw body (the signature covers the bytes) and answer a
bad signature with 401 before anything is parsed or written.
"""

import json
import logging
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from tierdesk import clock
from tierdesk.api.errors import error_body
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.customers.models import Contact
from tierdesk.intake import phone, slack, social
from tierdesk.integrations.signing import verify_webhook
from tierdesk.people.access import viewer_for
from tierdesk.tickets import selectors
from tierdesk.tickets.models import TicketEvent

log = logging.getLogger(__name__)
router = Router(tags=["channels"])


class SocialOutcomeOut(Schema):
    result: str
    ticket_id: int | None = None
    why: str = ""


class CallIn(Schema):
    direction: Literal["inbound", "outbound"]
    number: str = Field(max_length=32)
    duration_seconds: int = Field(ge=0, le=86400)
    outcome: Literal["answered", "missed", "voicemail", "busy", "failed"]
    recording_url: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=2000)


class InboundCallIn(CallIn):
    requester_id: int
    subject: str = Field(max_length=300)
    summary: str = Field(max_length=20000)
    priority: str = Field(default="", max_length=16)


class CallOut(Schema):
    direction: str
    number: str
    duration_seconds: int
    outcome: str
    recording_url: str
    notes: str
    logged_by: str | None
    at: str


class InboundCallOut(Schema):
    ticket_id: int
    priority: str
    assignee: str | None
    tier: str | None


class SlackReplyIn(Schema):
    text: str = Field(max_length=20000)


class SlackReplyOut(Schema):
    message_id: int
    ticket_id: int


class SocialIn(Schema):
    network: str = Field(max_length=32)
    author: str = Field(min_length=1, max_length=100)
    text: str = Field(max_length=20000)
    link: str = Field(default="", max_length=500)
    message_id: str = Field(min_length=1, max_length=128)


def _refuse(status: int, code: str, message: str, field: str | None = None):
    log.warning("intake refused: %s", message)
    return Reply(status, error_body(code, message, field))


@router.post("/slack/events", auth=None, response={200: dict, 401: dict, 400: dict,
                                                   404: dict, 422: dict})
def slack_events(request: HttpRequest):
    """Slack's Events API: the URL check, then ``message`` events of shared channels."""
    body = request.body
    if not slack.verify(body, request.headers.get("X-Slack-Request-Timestamp"),
                        request.headers.get("X-Slack-Signature")):
        return _refuse(401, "bad_signature", "Slack signature missing, stale or wrong",
                       "X-Slack-Signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return _refuse(400, "invalid", "the body is not JSON", "body")
    if not isinstance(payload, dict):
        return _refuse(400, "invalid", "the body is not a JSON object", "body")
    if payload.get("type") == "url_verification":
        return Reply(200, {"challenge": str(payload.get("challenge", ""))})
    if payload.get("type") != "event_callback" or not isinstance(payload.get("event"), dict):
        return Reply(200, {"result": "ignored", "why": f"type {payload.get('type')!r}"})
    try:
        outcome = slack.receive_message(payload["event"])
    except ServiceError as exc:
        return _refuse(exc.status_code, exc.code, exc.message, exc.field)
    log.info("slack event: %s", outcome.result, extra={"ticket_id": outcome.ticket_id})
    return Reply(200, {"result": outcome.result, "ticket_id": outcome.ticket_id,
                       "why": outcome.why})


@router.post("/slack/tickets/{ticket_id}/replies", response={201: SlackReplyOut})
def slack_reply(request: HttpRequest, ticket_id: int, payload: SlackReplyIn):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents reply in Slack")
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    message = slack.slack_reply(ticket=ticket, viewer=viewer, text=payload.text)
    return Reply(201, {"message_id": message.pk, "ticket_id": ticket.pk})


@router.post("/social/inbound", auth=None, response={200: SocialOutcomeOut, 201: SocialOutcomeOut,
                                                     401: dict, 400: dict, 422: dict})
def social_inbound(request: HttpRequest):
    """One social message, signed with ``TIERDESK_SOCIAL_WEBHOOK_SECRET``:
    ``X-Tierdesk-Signature: sha256=HMAC(secret, timestamp + "." + body)`` and
    ``X-Tierdesk-Timestamp`` (Unix seconds, within 5 minutes)."""
    body = request.body
    if not verify_webhook(settings.SOCIAL_WEBHOOK_SECRET,
                          request.headers.get("X-Tierdesk-Timestamp", ""), body,
                          request.headers.get("X-Tierdesk-Signature", ""), clock.now()):
        return _refuse(401, "bad_signature", "signature missing, stale or wrong",
                       "X-Tierdesk-Signature")
    try:
        data = SocialIn.model_validate_json(body)
    except ValueError as exc:
        errors = getattr(exc, "errors", lambda: [])()
        field = ".".join(str(p) for p in errors[0]["loc"]) if errors else "body"
        message = errors[0]["msg"] if errors else "the body is not valid JSON"
        return _refuse(400, "invalid", f"{field}: {message}", field)
    try:
        result, ticket_id = social.social_receive(social.SocialPost(**data.model_dump()))
    except ServiceError as exc:
        return _refuse(exc.status_code, exc.code,
                       exc.message, exc.field)
    return Reply(201 if result == "created" else 200,
                 {"result": result, "ticket_id": ticket_id})


def _call(payload: CallIn) -> phone.Call:
    return phone.Call(direction=payload.direction, number=payload.number,
                      duration_seconds=payload.duration_seconds, outcome=payload.outcome,
                      recording_url=payload.recording_url, notes=payload.notes)


@router.post("/phone/calls", response={201: InboundCallOut})
def inbound_call(request: HttpRequest, payload: InboundCallIn):
    """An agent took a call that is a new issue: open its ticket with the call on it."""
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents log calls")
    requester = get_or_404(Contact, "requester_id", related=("organisation",),
                           pk=payload.requester_id)
    ticket = phone.call_inbound(viewer=viewer, requester=requester, call=_call(payload),
                                subject=payload.subject, summary=payload.summary,
                                priority=payload.priority)
    ticket.refresh_from_db()
    return Reply(201, {"ticket_id": ticket.pk, "priority": ticket.priority,
                       "assignee": ticket.assignee.user.username if ticket.assignee else None,
                       "tier": ticket.tier.code if ticket.tier else None})


@router.post("/phone/tickets/{ticket_id}/calls", response={201: CallOut})
def log_call(request: HttpRequest, ticket_id: int, payload: CallIn):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents log calls")
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    phone.call_log(ticket=ticket, viewer=viewer, call=_call(payload))
    return Reply(201, _calls(ticket.pk)[-1])


@router.get("/phone/tickets/{ticket_id}/calls", response=list[CallOut])
def list_calls(request: HttpRequest, ticket_id: int):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents see call logs")
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    return _calls(ticket.pk)


def _calls(ticket_id: int) -> list[dict]:
    rows = (TicketEvent.objects.filter(ticket_id=ticket_id, type="call_logged")
            .select_related("actor").order_by("id"))
    return [{**{k: e.data.get(k, "") for k in ("direction", "number", "outcome",
                                               "recording_url", "notes")},
             "duration_seconds": e.data.get("duration_seconds", 0),
             "logged_by": e.actor.username if e.actor else None,
             "at": e.created_at.isoformat()} for e in rows]
