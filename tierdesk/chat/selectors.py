"""Reads for chat: a transcript as the widget and the agent console show it, and the
open chats an agent can take."""

from tierdesk.chat.models import ChatSession
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent
from tierdesk.tickets.models import Message
from tierdesk.tickets.selectors import tickets_visible_to


def _author(message: Message, agent_users: set[int], contact_name: str) -> tuple[str, str]:
    if message.author_id is not None and message.author_id in agent_users:
        user = message.author
        return "agent", user.first_name or user.username
    return "customer", contact_name


def line(message: Message, agent_users: set[int] | None = None,
         contact_name: str | None = None) -> dict:
    """Return one chat line: who (agent/customer), their display name, text, time."""
    if agent_users is None:
        agent_users = set(Agent.objects.filter(user_id=message.author_id)
                          .values_list("user_id", flat=True))
    if contact_name is None:
        contact_name = message.ticket.requester.name
    by, author = _author(message, agent_users, contact_name)
    return {"id": message.pk, "by": by, "author": author, "text": message.body_text,
            "at": message.created_at.isoformat()}


def transcript(*, session: ChatSession, after: int = 0) -> list[dict]:
    """Return the public lines of the chat's ticket after message id ``after`` (internal
    notes never reach the visitor)."""
    rows = list(Message.objects.filter(ticket_id=session.ticket_id, kind=Message.Kind.REPLY,
                                       id__gt=after).select_related("author").order_by("id"))
    authors = {m.author_id for m in rows if m.author_id is not None}
    agent_users = set(Agent.objects.filter(user_id__in=authors).values_list("user_id",
                                                                               flat=True))
    name = session.contact.name
    return [line(m, agent_users, name) for m in rows]


def open_sessions(*, viewer: Viewer) -> list[dict]:
    """Return the open chats whose tickets ``viewer`` can see, oldest first."""
    visible = tickets_visible_to(viewer).values("id")
    rows = (ChatSession.objects.filter(state=ChatSession.State.OPEN, ticket_id__in=visible)
            .select_related("ticket", "contact__organisation").order_by("id"))
    return [{
        "session_id": s.pk, "ticket_id": s.ticket_id, "subject": s.ticket.subject,
        "requester": s.contact.name,
        "organisation": s.contact.organisation.name if s.contact.organisation else None,
        "language": s.ticket.language, "verified": s.verified,
        "started_at": s.started_at.isoformat(), "last_message_id": s.last_message_id,
    } for s in rows]
