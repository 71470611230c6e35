"""Ticket mail as the customer's mail client needs it to thread.

Registered with the outbox as an email composer (the outbox imports no domain app):
each mail about a ticket gets a stable, unguessable ``Message-ID`` (recorded, so the
customer's reply threads), ``In-Reply-To`` and ``References`` naming the thread so far,
the ``[Ticket #N]`` subject tag, ``Auto-Submitted: auto-replied`` when no person wrote it
(so the customer's own robots do not answer), and an agent's reply comes from
"<agent> via <support name>" at the support address. Mail to an address a bounce marked
undeliverable is not sent at all.
"""

import hashlib
import hmac
from email.utils import formataddr
from typing import Any

from django.conf import settings

from tierdesk import clock
from tierdesk.mail.models import MailThreadId, Participant, UndeliverableAddress
from tierdesk.outbox.registry import Undeliverable
from tierdesk.tickets.models import Ticket

PERSON_TEMPLATES = frozenset({"agent_reply"})
MAX_REFERENCES = 20


def support_address() -> str:
    return settings.MAIL_SUPPORT_ADDRESS or settings.DEFAULT_FROM_EMAIL


def outbound_message_id(ticket_id: int, outbox_id: int) -> str:
    """Stable across retries (the receiver drops a duplicate), unguessable (nobody can
    forge a reply onto someone else's ticket by guessing it)."""
    token = hmac.new(settings.SECRET_KEY.encode(), f"mail:{ticket_id}:{outbox_id}".encode(),
                     hashlib.sha256).hexdigest()[:20]
    domain = support_address().rpartition("@")[2] or "tierdesk.localhost"
    return f"<tierdesk.{ticket_id}.{outbox_id}.{token}@{domain}>"


def compose(message: Any, email: Any) -> None:
    """The outbox's email composer (see ``outbox.registry.register_email_composer``)."""
    payload = message.payload
    recipients = [str(r).lower() for r in email.to]
    bounced = UndeliverableAddress.objects.filter(email__in=recipients).first()
    if bounced is not None:
        raise Undeliverable(f"{bounced.email} is undeliverable (a bounce on "
                            f"{bounced.bounced_at:%Y-%m-%d %H:%M} UTC: {bounced.reason})")
    ticket = (Ticket.objects.filter(pk=message.ticket_id).first()
              if message.ticket_id else None)
    if ticket is None:
        return
    own = outbound_message_id(ticket.pk, message.pk)
    MailThreadId.objects.get_or_create(message_id=own, defaults={
        "ticket": ticket, "inbound": False, "at": clock.now()})
    thread = list(MailThreadId.objects.filter(ticket=ticket).exclude(message_id=own)
                  .order_by("id").values_list("message_id", "inbound"))
    headers = email.extra_headers
    headers["Message-ID"] = own
    headers["X-Tierdesk-Ticket"] = str(ticket.pk)
    if thread:
        customer = [mid for mid, inbound in thread if inbound]
        headers["In-Reply-To"] = (customer or [thread[-1][0]])[-1]
        headers["References"] = " ".join(mid for mid, _ in thread[-MAX_REFERENCES:])
    tag = f"[Ticket #{ticket.pk}]"
    if tag not in email.subject:
        email.subject = f"{tag} {email.subject}"
    template = payload.get("template", "")
    if payload.get("automatic", template not in PERSON_TEMPLATES):
        headers["Auto-Submitted"] = "auto-replied"
    address = support_address()
    headers["Reply-To"] = address
    name = settings.MAIL_SUPPORT_NAME
    if payload.get("from_name"):
        email.from_email = formataddr((f"{payload['from_name']} via {name}", address))
    else:
        email.from_email = formataddr((name, address))
    if template in PERSON_TEMPLATES:
        cc = list(Participant.objects.filter(ticket=ticket)
                  .exclude(contact__email__in=UndeliverableAddress.objects.values("email"))
                  .values_list("contact__email", flat=True))
        email.cc = [addr for addr in cc if addr.lower() not in recipients]
