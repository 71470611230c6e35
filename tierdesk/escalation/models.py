"""Each move of a ticket between tiers or to another unit, with its handoff record."""

from django.conf import settings
from django.db import models

from tierdesk.tickets.models import Ticket


class Escalation(models.Model):
    class Direction(models.TextChoices):
        UP = "up"
        DOWN = "down"
        UNIT = "unit"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    from_tier = models.CharField(max_length=32, blank=True)
    to = models.CharField(max_length=64, help_text="A tier code or a unit code")
    criteria = models.JSONField(default=list, blank=True)
    handoff = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.from_tier or '-'} -> {self.to}"
