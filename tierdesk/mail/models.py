"""Inbound mail as received, mail threads, mailbox cursors and undeliverable addresses."""

from django.db import models

from tierdesk.customers.models import Contact
from tierdesk.tickets.models import Attachment, Message, Ticket


class InboundMail(models.Model):
    """Every message that came in, raw, stored before it is parsed: nothing is ever lost.

    One that could not be processed stays here as ``failed`` (the failed-mail store: the
    admin lists it, ``/readyz`` warns, ``tierdesk mail reprocess`` retries it).
    """

    class State(models.TextChoices):
        RECEIVED = "received"  # stored, not processed yet (or processing died)
        DONE = "done"
        FAILED = "failed"

    class Outcome(models.TextChoices):
        CREATED = "created"
        THREADED = "threaded"
        DUPLICATE = "duplicate"
        SUPPRESSED = "suppressed"
        LOOP = "loop"
        FAILED = "failed"

    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=200, help_text="cli, http or imap:<mailbox>")
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True, help_text="Why: the suppression, loop or failure")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", db_index=False)
    ticket_message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", db_index=False)
    quoted_text = models.TextField(blank=True,
                                   help_text="Quoted history and signature, kept apart")
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "inbound mail"
        verbose_name_plural = "inbound mail"
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return f"{self.sender} {self.subject!r} ({self.outcome or self.state})"


class MailThreadId(models.Model):
    """A Message-ID known to belong to a ticket: the helpdesk's own sent mail and every
    customer message already on it, so replies to either thread."""

    message_id = models.CharField(max_length=255, unique=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    inbound = models.BooleanField(default=True)
    at = models.DateTimeField()


class Participant(models.Model):
    """A customer on a ticket's mail thread besides the requester (people on Cc)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "contact"],
                                               name="one_participation_per_contact")]


class InlinePart(models.Model):
    """An attachment that is an inline ``cid:`` image of its message's HTML."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE,
                                      related_name="inline_part")
    content_id = models.CharField(max_length=255)


class UndeliverableAddress(models.Model):
    """A recipient a bounce said does not take mail: no more mail is sent to it."""

    email = models.EmailField(unique=True)
    reason = models.TextField(blank=True)
    bounced_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.email


class MailboxCursor(models.Model):
    """How far the IMAP poller has read a mailbox: a restart neither skips nor repeats."""

    mailbox = models.CharField(max_length=200, unique=True)
    uidvalidity = models.BigIntegerField(null=True)
    last_uid = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.mailbox} @ {self.uidvalidity}/{self.last_uid}"
