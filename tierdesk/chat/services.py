"""Chat services: start a chat (a ticket on the ``chat`` channel), speak in it, end it.

A chat is a ticket from its first line: the transcript is the ticket's messages, so the
pack's chat SLA (Fire22: "<2 minute response") runs on it like on any ticket and the
first agent message stops its first-response clock. Each message bumps the session's
``last_message_id`` in the same transaction; that row is what waiting browsers watch
(``chat.delivery``), and the Redis publish, when configured, only happens on commit.
"""

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tierdesk import clock
from tierdesk.chat import delivery
from tierdesk.chat.models import ChatSession
from tierdesk.common import prepared
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.customers.models import Contact
from tierdesk.intake.lines import add_line
from tierdesk.languages.detection import UNDETERMINED, detect_for_pack
from tierdesk.languages.services import route_by_language
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.tickets import batch, events
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Channel, Message, Ticket
from tierdesk.tickets.statuses import CLOSED

MAX_TEXT = 5000


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Please write a message first."), field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError(_("A message can be at most %(n)s characters.") % {"n": MAX_TEXT},
                           field="text")
    return text


def chat_start(*, contact: Contact, text: str, verified: bool,
               user: Any = None) -> tuple[ChatSession, str]:
    """Open a chat with its first line; return the session and the visitor's secret.

    The ticket is created through ``ticket_create`` so classification, the pack's channel
    rules (DataFlow: chat for Professional and Enterprise only), the SLA and the rules all
    apply; a refused chat creates nothing.
    """
    text = _clean_text(text)
    viewer = Viewer(user=user, agent=None, contact=contact)
    language = detect_for_pack(text, active_pack())
    first_line = text.splitlines()[0]
    subject = "Chat: " + (first_line[:80] + ("…" if len(first_line) > 80 else ""))
    secret = "tdc_" + secrets.token_urlsafe(24)
    with transaction.atomic(durable=True):
        ticket = tickets.create(
            viewer=viewer, subject=subject, body=text, requester=contact,
            channel=Channel.CHAT, language=language if language != UNDETERMINED else "")
        last = Message.objects.filter(ticket=ticket).order_by("-id").values_list(
            "id", flat=True).first() or 0
        session = ChatSession.objects.create(
            ticket=ticket, contact=contact, token_hash=ChatSession.hash(secret),
            verified=verified, started_at=ticket.created_at, last_message_id=last)
        route_by_language(ticket=ticket)
        events.record(ticket, "chat_started", user, ticket.created_at, session=session.pk,
                      verified=verified)
        transaction.on_commit(lambda: delivery.publish(session.pk, last))
    return session, secret


def session_for_token(*, session_id: int, secret: str) -> ChatSession:
    """Return the session the visitor's secret opens; anything else is the same 404."""
    from tierdesk.common.errors import NotFound

    session = (ChatSession.objects.select_related("ticket", "contact__organisation")
               .filter(pk=session_id, token_hash=ChatSession.hash(secret or "")).first())
    if session is None:
        raise NotFound(_("This chat does not exist or has expired."), field="session_id")
    return session


def _post(*, session: ChatSession, viewer: Viewer, text: str, client_id: str | None,
          by: str) -> Message:
    """Write one chat line onto the ticket (no email: the chat is live) and bump the
    session; the same ``client_id`` again returns the first line (retries are safe)."""
    text = _clean_text(text)
    external_id = f"chat:{session.pk}:{client_id}" if client_id else None
    if external_id is not None:
        existing = Message.objects.filter(external_id=external_id, ticket=session.ticket).first()
        if existing is not None:
            return existing
    if session.state == ChatSession.State.ENDED:
        raise ServiceError(_("This chat has ended; please start a new one."),
                           field="session_id")
    try:
        with transaction.atomic(durable=True):
            message = _post_rows(session=session, viewer=viewer, text=text,
                                 external_id=external_id, by=by)
    except IntegrityError:
        existing = Message.objects.filter(external_id=external_id).first()
        if existing is None or existing.ticket_id != session.ticket_id:
            raise
        return existing
    delivery.publish(session.pk, message.pk)
    return message


@batch.writes
def _post_rows(*, session: ChatSession, viewer: Viewer, text: str, external_id: str | None,
               by: str) -> Message:
    # One write batch for the lock and the line: add_line finds the ticket held, unread.
    ticket = tickets.locked(session.ticket)
    if ticket.status == CLOSED:
        raise ServiceError(_("This chat has ended; please start a new one."),
                           field="session_id")
    # the same line a Slack thread or a social message writes (intake.lines)
    message = add_line(ticket=ticket, viewer=viewer, text=text, channel=Channel.CHAT,
                       external_id=external_id, by=by)
    session.last_message_id = message.pk
    prepared.update(session, ["last_message_id"])
    return message


def chat_post_visitor(*, session: ChatSession, text: str,
                      client_id: str | None = None) -> Message:
    """The customer's line in their chat."""
    viewer = Viewer(user=session.contact.user, agent=None, contact=session.contact)
    return _post(session=session, viewer=viewer, text=text, client_id=client_id,
                 by="customer")


def chat_post_agent(*, session: ChatSession, viewer: Viewer, text: str,
                    client_id: str | None = None) -> Message:
    """An agent's line; the first one stops the first-response clock. The caller has
    checked the agent may see the ticket (``selectors.ticket_get``)."""
    if not viewer.is_agent:
        raise Forbidden("only agents may answer chats")
    return _post(session=session, viewer=viewer, text=text, client_id=client_id, by="agent")


@transaction.atomic(durable=True)
def chat_end(*, session: ChatSession, actor: Any = None, by: str) -> ChatSession:
    """End the chat; the ticket stays as it is (open until an agent solves it)."""
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.state == ChatSession.State.ENDED:
        return session
    now = clock.now()
    session.state = ChatSession.State.ENDED
    session.ended_at = now
    session.save(update_fields=["state", "ended_at"])
    ticket: Ticket = session.ticket
    events.record(ticket, "chat_ended", actor, now, session=session.pk, by=by)
    last = session.last_message_id
    transaction.on_commit(lambda: delivery.publish(session.pk, last, delivery.ENDED))
    return session
