"""Multi-customer incidents: one outage, many tickets, one timeline, one review.

DataFlow's handbook: "For multi-customer P0 issues (e.g., API outage affecting 100+
customers) ... notify all via status.dataflow.com". An incident groups the tickets of every
affected organisation so that one update reaches each requester once and the public
status page tells everybody else.
"""

from django.conf import settings
from django.db import models

from tierdesk.tickets.models import Ticket


class IncidentStatus(models.TextChoices):
    """The usual status-page vocabulary (Atlassian Statuspage, GitHub status)."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Incident(models.Model):
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    severity = models.CharField(max_length=16, help_text="A priority code of the pack, e.g. P0")
    public = models.BooleanField(
        default=False, help_text="Shown on the public status page (public updates only)"
    )
    summary = models.TextField(blank=True, help_text="Public wording: shown on the status page")
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        # The status page asks "open and public" on every hit during an outage.
        indexes = [models.Index(fields=["public", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.severity} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.RESOLVED


class IncidentTicket(models.Model):
    """One ticket affected by one incident; a ticket is linked at most once per incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incident_ticket_once")
        ]


class IncidentUpdate(models.Model):
    """One entry of the timeline; ``status`` is the incident's status after it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    body = models.TextField()
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    public = models.BooleanField(
        default=True, help_text="Shown on the status page and mailed to requesters"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    notified = models.PositiveIntegerField(default=0, help_text="Distinct requesters mailed")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at", "id"])]


class PostIncidentReview(models.Model):
    """What broke, how it was fixed and where customers can read about it (one per incident)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    root_cause = models.TextField()
    fix = models.TextField()
    kb_article_url = models.URLField(max_length=500, blank=True)
    follow_ups = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
