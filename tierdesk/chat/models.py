"""Live chat sessions: a chat is a ticket (channel ``chat``) whose messages are the
ticket's messages; the session adds who may speak in it and where delivery stands."""

import hashlib

from django.db import models

from tierdesk.customers.models import Contact
from tierdesk.tickets.models import Ticket


class ChatSession(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        ENDED = "ended"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="chat")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    # Only the SHA-256 of the visitor's secret is kept; the widget holds the secret.
    token_hash = models.CharField(max_length=64, unique=True)
    verified = models.BooleanField(
        default=False, help_text="Started by a signed-in customer (else the email is as typed)")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    # The newest message id of the ticket: what long-polls in every process watch, so a
    # waiting browser asks one indexed row, not the message table.
    last_message_id = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "-id"])]

    def __str__(self) -> str:
        return f"chat {self.pk} (ticket #{self.ticket_id})"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
