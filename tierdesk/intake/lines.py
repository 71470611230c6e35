"""A line of conversation arriving on (or sent from) a live channel: written onto the
ticket like a reply, with its event and SLA effects, but no email (the conversation is
in Slack or on the social network, not in the customer's mailbox)."""

from typing import Any

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.common.errors import ServiceError
from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.access import Viewer
from tierdesk.tickets import batch, events, search
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Message, Ticket
from tierdesk.tickets.statuses import CLOSED, NEW, OPEN, PENDING, SOLVED


@batch.writes
def add_line(*, ticket: Ticket, viewer: Viewer, text: str, channel: str,
             external_id: str | None, by: str) -> Message:
    """Write one line; ``by`` is "agent" (stops first response) or "customer" (reopens a
    pending or solved ticket). Call inside the caller's transaction.

    Its rows go through the same write batch as a portal reply (``tickets.reply``): the
    events, the ticket's update and the search document are written together at the end,
    and a ticket the caller already locked in the batch is not read again. A live chat
    runs this for every line, so it is the bulk of the time a line holds SQLite's writer.
    """
    if not text.strip():
        raise ServiceError("text must not be empty", field="text")
    ticket = tickets.locked(ticket)
    if ticket.status == CLOSED:
        raise ServiceError("the ticket is closed; a new message needs a new ticket",
                           field="ticket_id")
    now = clock.now()
    message = prepared.create(
        Message, ticket=ticket, kind=Message.Kind.REPLY, author=viewer.user, body_text=text,
        channel=channel, external_id=external_id, created_at=now)
    search.index_ticket(ticket)
    events.message_added(ticket, viewer.user, now, message.pk, "reply", by=by)
    changes: dict[str, Any] = {"updated_at": now}
    if by == "agent":
        if ticket.first_responded_at is None:
            changes["first_responded_at"] = now
        if ticket.status == NEW:
            changes["status"] = OPEN
    elif ticket.status in (PENDING, SOLVED):
        changes["status"] = OPEN
    tickets.after_change(ticket=ticket, viewer=viewer, now=now, changes=changes,
                         reason=channel, event="replied", sla_reason="reply")
    return message


def external_contact(*, external_id: str, name: str, email: str = "",
                     organisation: Organisation | None = None,
                     placeholder_domain: str) -> Contact:
    """Return the contact known by ``external_id`` (``slack:U123``, ``x:@handle``), else
    the one with ``email``, else a new one. A person with no email gets an address under
    the reserved ``.invalid`` domain, which no mail server accepts, so nothing is ever
    mailed to a stranger."""
    contact = Contact.objects.filter(external_id=external_id).first()
    if contact is None and email:
        contact = Contact.objects.filter(email=email.lower()).first()
    if contact is not None:
        return contact
    local = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in external_id.lower())
    contact = Contact(
        name=name[:200] or external_id, organisation=organisation, external_id=external_id,
        email=(email or f"{local.strip('-.') or 'someone'}@{placeholder_domain}").lower())
    contact.full_clean()
    contact.save()
    return contact
