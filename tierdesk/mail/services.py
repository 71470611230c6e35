"""Email intake: one pipeline behind every door (CLI, HTTP hook, IMAP poller).

1. The raw bytes are stored (``InboundMail``) and committed before anything reads them.
2. They are parsed; mail that cannot be parsed is filed as failed, with why.
3. In one transaction: drop duplicates, recognise machines (bounce, auto-reply, bulk,
   loop), thread onto a ticket or open one through the tickets services (the API's own
   path: classification, channel rules, SLA, rules, acknowledgement), store files and
   participants, and record the outcome. Any error rolls all of it back and files the
   mail as failed; ``mail_reprocess`` retries it.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.common.errors import Conflict, ServiceError
from tierdesk.customers.models import Contact
from tierdesk.customers.services import contact_create
from tierdesk.mail import lookups, machines
from tierdesk.mail.html import point_inline_images
from tierdesk.mail.language import mail_language
from tierdesk.mail.models import (
    InboundMail,
    InlinePart,
    Participant,
    UndeliverableAddress,
)
from tierdesk.mail.parsing import (
    NO_SUBJECT,
    MalformedMail,
    ParsedMail,
    clean_text,
    decode_words,
    parse,
)
from tierdesk.mail.quoting import split_reply
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import SYSTEM, Viewer
from tierdesk.people.models import Agent
from tierdesk.tickets import attachments
from tierdesk.tickets import services as tickets
from tierdesk.tickets.following import follow
from tierdesk.tickets.models import Channel, Message, Ticket
from tierdesk.tickets.statuses import CLOSED

log = logging.getLogger(__name__)
Outcome = InboundMail.Outcome
TAG_RE = re.compile(r"\[\s*Ticket\s*#\s*(\d{1,12})\s*\]", re.IGNORECASE)
SPOOF_TAG = "possible-spoofed-reference"
HIGH_IMPORTANCE_TAG = "high-importance"


@dataclass(frozen=True)
class Result:
    """What happened to one message, as the CLI prints it and the webhook answers it."""

    inbound_id: int
    outcome: str
    ticket_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        said = {
            Outcome.CREATED: f"created ticket {self.ticket_id}",
            Outcome.THREADED: f"threaded onto {self.ticket_id}",
            Outcome.DUPLICATE: "duplicate",
            Outcome.SUPPRESSED: "suppressed",
            Outcome.LOOP: "rejected as loop",
            Outcome.FAILED: "failed",
        }[self.outcome]
        return f"{said}: {self.reason}" if self.reason else said

    def as_dict(self) -> dict:
        return {"inbound_id": self.inbound_id, "outcome": self.outcome,
                "ticket_id": self.ticket_id, "reason": self.reason,
                "result": self.describe()}


def own_addresses() -> frozenset[str]:
    """Tierdesk's own addresses: mail from them is a loop."""
    found = {settings.DEFAULT_FROM_EMAIL, settings.MAIL_SUPPORT_ADDRESS,
             *settings.MAIL_OWN_ADDRESSES}
    pack = active_pack()
    channel = pack.channels.get("email") if pack is not None else None
    if channel is not None and channel.address and "@" in channel.address:
        found.add(channel.address)
    for url in settings.MAIL_IMAP:
        from tierdesk.mail.poller import Mailbox

        if Mailbox.from_url(url).address:
            found.add(Mailbox.from_url(url).address)
    return frozenset(a.strip().lower() for a in found if a)


def ingest(raw: bytes, *, source: str) -> Result:
    """Store ``raw`` (committed), then process it; never raises for bad mail."""
    inbound = store_raw(raw, source=source)
    return process(inbound)


def store_raw(raw: bytes, *, source: str) -> InboundMail:
    """Keep the bytes exactly as received, before any parsing, so nothing can be lost."""
    head = raw[:16384]
    message_id = ""
    match = re.search(rb"(?im)^message-id:\s*(<[^<>\s]{1,250}>)", head)
    if match:
        message_id = match.group(1).decode("ascii", "replace")
    # For the admin's list only (the parser reads them properly later).
    sender = re.search(rb"(?im)^from:[ \t]*([^\r\n]{1,300})", head)
    subject = re.search(rb"(?im)^subject:[ \t]*([^\r\n]{1,300})", head)
    return prepared.create(
        InboundMail, raw=raw, size=len(raw), source=source[:200], message_id=message_id,
        sender=decode_words(sender.group(1).decode("latin-1"))[:254] if sender else "",
        subject=decode_words(subject.group(1).decode("latin-1"))[:300] if subject else "",
        received_at=clock.now())


def process(inbound: InboundMail) -> Result:
    """Parse and file one stored message; a failure is recorded on it, with why."""
    raw = bytes(inbound.raw)
    if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
        return _failed(inbound, f"the message is {len(raw)} bytes; the limit is "
                                f"{settings.MAIL_MAX_MESSAGE_BYTES}")
    try:
        mail = parse(raw)
    except MalformedMail as exc:
        return _failed(inbound, f"unreadable mail: {exc}")
    except Exception as exc:  # the parser must never take the intake down
        log.exception("mail %s could not be parsed", inbound.pk)
        return _failed(inbound, f"unreadable mail: {type(exc).__name__}: {exc}")
    try:
        for _attempt in range(2):
            with transaction.atomic(durable=True):
                result = _file_locked(inbound, mail)
            if result is not None:
                return result
            _new_contact(mail)  # a first mail: the contact is made in its own transaction
        raise ServiceError(f"no contact for {mail.sender} could be made", field="from")
    except (ServiceError, ValidationError) as exc:
        return _failed(inbound, _why(exc), mail)
    except Exception as exc:
        log.exception("mail %s could not be filed", inbound.pk)
        return _failed(inbound, f"{type(exc).__name__}: {exc}", mail)


def _file_locked(inbound: InboundMail, mail: ParsedMail) -> Result | None:
    """File the message in the open transaction, its row locked; None when its sender
    has no contact yet (nothing written)."""
    own = own_addresses()
    machine = machines.recognise(mail, own)
    contact = None
    if machine is None:
        contact = lookups.contact_by_email(mail.sender)
        if contact is None:
            return None
    standing = lookups.standing(inbound.pk, mail.message_id[:255])
    if standing.state == InboundMail.State.DONE:
        # Another process filed it meanwhile (the stalled-mail recovery, a retry).
        return Result(inbound.pk, standing.outcome, standing.ticket_id, standing.reason)
    return _file(inbound, mail, contact, machine, own, standing)


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()) \
            if hasattr(exc, "message_dict") else " ".join(exc.messages)
    field = getattr(exc, "field", None)
    return f"{exc} ({field})" if field else str(exc)


def _failed(inbound: InboundMail, reason: str, mail: ParsedMail | None = None) -> Result:
    message_id = mail.message_id[:255] if mail else inbound.message_id
    if message_id and _seen(message_id, inbound.pk):
        # Another copy was filed meanwhile (this one lost a race with it, or its database
        # connection was cut): a duplicate, not failed mail for an operator to reprocess.
        why = f"Message-ID {message_id} was already received (this copy failed: {reason})"
        InboundMail.objects.filter(pk=inbound.pk).update(
            state=InboundMail.State.DONE, outcome=Outcome.DUPLICATE, reason=why[:4000],
            attempts=inbound.attempts + 1, processed_at=clock.now())
        return Result(inbound.pk, Outcome.DUPLICATE, None, why)
    log.warning("inbound mail %s failed: %s", inbound.pk, reason)
    InboundMail.objects.filter(pk=inbound.pk).update(
        state=InboundMail.State.FAILED, outcome=Outcome.FAILED, reason=reason[:4000],
        attempts=inbound.attempts + 1, processed_at=clock.now(),
        sender=(mail.sender if mail else inbound.sender)[:254],
        subject=(mail.subject if mail else inbound.subject)[:300])
    return Result(inbound.pk, Outcome.FAILED, None, reason)


def _done(inbound: InboundMail, mail: ParsedMail, outcome: str, reason: str = "",
          ticket: Ticket | None = None, message: Message | None = None,
          quoted: str = "", copies: bool = True) -> Result:
    filed = {"state": InboundMail.State.DONE, "outcome": outcome, "reason": reason[:4000],
             "ticket": ticket, "ticket_message": message, "quoted_text": quoted,
             "sender": mail.sender[:254], "subject": mail.subject[:300],
             "message_id": mail.message_id[:255], "attempts": inbound.attempts + 1,
             "processed_at": clock.now()}
    for name, value in filed.items():
        setattr(inbound, name, value)
    prepared.update(inbound, list(filed))
    if outcome in (Outcome.SUPPRESSED, Outcome.LOOP, Outcome.DUPLICATE):
        log.info("inbound mail %s %s: %s", inbound.pk, outcome, reason)
    if mail.message_id and copies:
        _supersede_copies(inbound, mail.message_id[:255])
    return Result(inbound.pk, outcome, ticket.pk if ticket else None, reason)


def _supersede_copies(inbound: InboundMail, message_id: str) -> None:
    """Other copies of this message left failed or unfiled (their process died, their
    connection was cut, they lost a race) become duplicates of this filed one, instead of
    failed mail an operator would reprocess. A copy another process is filing right now
    (its row locked) is skipped: that process finds this one filed and says so itself."""
    copies = list(InboundMail.objects.select_for_update(skip_locked=True)
                  .filter(message_id=message_id,
                          state__in=[InboundMail.State.FAILED, InboundMail.State.RECEIVED])
                  .exclude(pk=inbound.pk).values_list("pk", flat=True))
    if copies:
        InboundMail.objects.filter(pk__in=copies).update(
            state=InboundMail.State.DONE, outcome=Outcome.DUPLICATE,
            reason=f"Message-ID {message_id} was filed as inbound mail {inbound.pk}",
            processed_at=clock.now())


def _file(inbound: InboundMail, mail: ParsedMail, contact: Contact | None,
          machine: machines.Machine | None, own: frozenset[str],
          standing: lookups.Standing) -> Result:
    now = clock.now()
    done = partial(_done, copies=standing.copies)
    if standing.seen:
        return done(inbound, mail, Outcome.DUPLICATE,
                    f"Message-ID {mail.message_id} was already received")
    if machine is not None and machine.kind == machines.LOOP:
        return done(inbound, mail, Outcome.LOOP, machine.why)
    if machine is not None and machine.kind == machines.BOUNCE:
        marked = _mark_undeliverable(mail, now, own)
        why = machine.why + (f"; marked undeliverable: {', '.join(marked)}" if marked else "")
        return done(inbound, mail, Outcome.SUPPRESSED, f"bounce: {why}")
    ticket, spoofed = _thread(mail)
    if machine is not None:  # an auto-reply or bulk mail: never answered
        if ticket is not None and ticket.status != CLOSED:
            note = tickets.add_note(ticket=ticket, viewer=SYSTEM, body=(
                f"Automatic reply received from {mail.sender} ({machine.why}); the ticket "
                f"was not reopened and its SLA is unchanged.\n\n{_body(mail)[0][:2000]}"))
            return done(inbound, mail, Outcome.SUPPRESSED, f"{machine.kind}: {machine.why}; "
                         f"kept as a note on ticket {ticket.pk}", ticket, note)
        return done(inbound, mail, Outcome.SUPPRESSED, f"{machine.kind}: {machine.why}")
    assert contact is not None
    viewer = Viewer(user=contact.user, agent=None, contact=contact)
    reply_text, quoted = _body(mail)
    html = _html_with_quote(mail.html, reply_text, quoted)
    if ticket is not None and ticket.status != CLOSED:
        message = tickets.reply(ticket=ticket, viewer=viewer, body=reply_text, body_html=html,
                                channel=Channel.EMAIL)
        outcome, reason = Outcome.THREADED, ""
    else:
        follow_up = ticket
        tags = [HIGH_IMPORTANCE_TAG] if mail.high_importance else []
        if spoofed is not None:
            tags.append(SPOOF_TAG)
        ticket, message = tickets.create_with_message(
            viewer=viewer, subject=TAG_RE.sub("", mail.subject).strip() or NO_SUBJECT,
            body=reply_text, body_html=html, requester=contact, channel=Channel.EMAIL,
            language=mail_language(mail, reply_text, contact), tags=tags, route_language=True)
        outcome, reason = Outcome.CREATED, ""
        if spoofed is not None:
            reason = f"possible spoofed ticket reference to #{spoofed}"
            tickets.add_note(ticket=ticket, viewer=SYSTEM, body=(
                f"Possible spoofed ticket reference: the subject names ticket #{spoofed}, "
                f"but {mail.sender} is neither a participant of it nor a contact of its "
                "organisation, so the mail was not added to it and nothing of it was "
                "revealed to the sender."))
        elif follow_up is not None:
            reason = f"ticket {follow_up.pk} is closed; opened a follow-up"
            tickets.add_note(ticket=ticket, viewer=SYSTEM,
                             body=f"Follow-up by mail to closed ticket #{follow_up.pk}.")
    _add_participants(ticket, mail, contact, now, own)
    _store_parts(ticket, message, mail)
    if mail.message_id:
        lookups.remember_thread(mail.message_id[:255], ticket.pk, now)
    return done(inbound, mail, outcome, reason, ticket, message, quoted)


def _seen(message_id: str, inbound_id: int) -> bool:
    try:
        return lookups.standing(inbound_id, message_id[:255]).seen
    except InboundMail.DoesNotExist:  # deleted from the admin meanwhile: nothing to judge
        return False


def _body(mail: ParsedMail) -> tuple[str, str]:
    text = clean_text(mail.text)
    reply, quoted = split_reply(text)
    if not reply.strip():
        if mail.parts:
            names = ", ".join(p.filename for p in mail.parts[:5])
            reply = f"(no text; attached: {names})"
        elif mail.subject != NO_SUBJECT:
            reply = mail.subject
        else:
            raise ServiceError("the message has no subject, no text and no attachments",
                               field="body")
    return reply, quoted


def _html_with_quote(html: str, reply: str, quoted: str) -> str:
    """The HTML as sent (or the reply's text as HTML); quoted history goes behind a
    "show quoted" part."""
    if not quoted:
        return html
    from html import escape

    body = html or "<p>" + escape(reply).replace("\n", "<br>") + "</p>"
    return (f"{body}<details class=\"quoted\"><summary>show quoted</summary>"
            f"<pre>{escape(quoted)}</pre></details>")


def _new_contact(mail: ParsedMail) -> None:
    """The sender as a contact, made on their first mail (another process may make it
    first: then theirs is used)."""
    with suppress(Conflict):
        contact_create(viewer=None, name=mail.sender_name[:200] or mail.sender,
                       email=mail.sender, organisation=None)


def _thread(mail: ParsedMail) -> tuple[Ticket | None, int | None]:
    """Return (the ticket this mail continues, a ticket number it claimed but may not)."""
    ticket = lookups.threaded_ticket(list(dict.fromkeys(
        [*mail.in_reply_to, *reversed(mail.references)])))
    if ticket is not None:
        return _current(ticket), None
    match = TAG_RE.search(mail.subject)
    if match is None:
        return None, None
    number = int(match.group(1))
    ticket = Ticket.objects.filter(pk=number).select_related("requester").first()
    if ticket is None or not _may_use(ticket, mail.sender):
        return None, number
    return _current(ticket), None


def _current(ticket: Ticket) -> Ticket:
    """A merged ticket's mail goes where it was merged."""
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen.add(ticket.pk)
    return ticket


def _may_use(ticket: Ticket, sender: str) -> bool:
    """A subject tag counts only from the ticket's participants or its organisation."""
    if ticket.requester.email.lower() == sender:
        return True
    if Participant.objects.filter(ticket=ticket, contact__email=sender).exists():
        return True
    return ticket.organisation_id is not None and Contact.objects.filter(
        email=sender, organisation_id=ticket.organisation_id).exists()


def _add_participants(ticket: Ticket, mail: ParsedMail, sender: Contact, now,
                      own: frozenset[str]) -> None:
    """People on Cc (and To, other than us) join the ticket: customers as participants,
    agents as followers."""
    addresses = [a for a in (*mail.cc, *mail.to) if a not in own and a != sender.email]
    if sender.pk != ticket.requester_id:
        addresses.append(sender.email)
    if not addresses:
        return
    agents = {a.user.email.lower(): a for a in Agent.objects.filter(
        user__email__in=addresses).select_related("user")}
    contacts = {c.email: c for c in Contact.objects.filter(email__in=addresses)}
    for address in addresses:
        if address in agents:
            follow(ticket=ticket, viewer=Viewer(user=agents[address].user,
                                                agent=agents[address], contact=None), at=now)
            continue
        contact = contacts.get(address)
        if contact is None:
            try:
                contact = Contact(name=address.split("@")[0], email=address,
                                  organisation=None)
                contact.full_clean()
                contact.save()
            except ValidationError:
                continue
        if contact.pk != ticket.requester_id:
            Participant.objects.get_or_create(ticket=ticket, contact=contact,
                                              defaults={"since": now})


def _store_parts(ticket: Ticket, message: Message | None, mail: ParsedMail) -> None:
    """Files byte-exact through the tickets' attachment service; oversized ones are
    dropped with a logged reason and an internal note, the text kept."""
    if message is None or not mail.parts:
        return
    limit = settings.MAIL_MAX_ATTACHMENT_BYTES
    urls: dict[str, str] = {}
    dropped: list[str] = []
    for part in mail.parts:
        if len(part.data) > limit:
            why = (f"attachment {part.filename!r} ({len(part.data)} bytes) is over the "
                   f"{limit}-byte limit per attachment and was not kept")
            log.warning("ticket %s: %s", ticket.pk, why)
            dropped.append(why)
            continue
        if not part.data:
            dropped.append(f"attachment {part.filename!r} is empty and was not kept")
            continue
        upload = SimpleUploadedFile(part.filename, part.data,
                                    content_type=part.content_type)
        stored = attachments.add(ticket=ticket, message=message, viewer=SYSTEM,
                                 upload=upload)
        if part.inline and part.content_id:
            InlinePart.objects.create(attachment=stored, content_id=part.content_id[:255])
            urls[part.content_id] = f"/api/v1/tickets/{ticket.pk}/attachments/{stored.pk}"
    if urls or "/inline-cid/" in message.body_html:
        message.body_html = point_inline_images(message.body_html, urls)
        Message.objects.filter(pk=message.pk).update(body_html=message.body_html)
    if dropped:
        tickets.add_note(ticket=ticket, viewer=SYSTEM, body="\n".join(dropped))


def _mark_undeliverable(mail: ParsedMail, now, own: frozenset[str]) -> list[str]:
    """A bounce names the recipients that do not take mail: send them nothing more."""
    found = list(mail.report_recipients)
    failed = mail.headers.get("x-failed-recipients", "")
    found += [a.strip().lower() for a in failed.split(",") if "@" in a]
    marked = []
    for address in dict.fromkeys(found):
        if "@" not in address or address in own:
            continue
        UndeliverableAddress.objects.update_or_create(email=address[:254], defaults={
            "reason": (mail.subject or "bounce")[:500], "bounced_at": now})
        marked.append(address)
    return marked


def mail_reprocess(*, ids: list[int] | None = None) -> list[Result]:
    """Retry failed mail (all, or those ``ids``); each as if it had just arrived."""
    failed = InboundMail.objects.filter(state__in=[InboundMail.State.FAILED,
                                                   InboundMail.State.RECEIVED])
    if ids:
        failed = failed.filter(pk__in=ids)
    return [process(inbound) for inbound in failed.order_by("id")]


def failed_mail_warnings() -> list[str]:
    """The ``/readyz`` warning: mail that is stored but on no ticket."""
    count = InboundMail.objects.filter(state=InboundMail.State.FAILED).count()
    if not count:
        return []
    return [f"{count} inbound mail message(s) failed to process: see Admin > Inbound mail "
            "(state failed) and run `tierdesk mail reprocess`"]

