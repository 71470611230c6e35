"""The risk register: risks support staff flag from tickets and incidents."""

from django.conf import settings
from django.db import models

from tierdesk.incidents.models import Incident
from tierdesk.people.models import Agent
from tierdesk.tickets.models import Ticket


class RiskStatus(models.TextChoices):
    OPEN = "open"
    MITIGATING = "mitigating"
    CLOSED = "closed"


class Risk(models.Model):
    Status = RiskStatus

    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="risks")
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="risks")
    category = models.CharField(max_length=64)
    likelihood = models.CharField(max_length=32)
    impact = models.CharField(max_length=32)
    score = models.PositiveSmallIntegerField(help_text="likelihood level x impact level")
    description = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    owner = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="risks_owned")
    owner_label = models.CharField(max_length=200, blank=True,
                                   help_text="Who owns it as the pack says (unit risk...)")
    route = models.CharField(max_length=200, blank=True, help_text="The pack route applied")
    review_at = models.DateTimeField(db_index=True, help_text="The next review date")
    reminded_for = models.DateTimeField(null=True, blank=True,
                                        help_text="The review date the owner was reminded of")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "-created_at", "-id"]
        indexes = [models.Index(fields=["status", "review_at"])]
        constraints = [models.CheckConstraint(
            condition=models.Q(ticket__isnull=False) | models.Q(incident__isnull=False),
            name="risk_flagged_from_ticket_or_incident")]

    def __str__(self) -> str:
        return f"{self.category}: {self.description[:60]}"
