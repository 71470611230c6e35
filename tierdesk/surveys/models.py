"""Satisfaction surveys: CSAT after a solved ticket, NPS to an organisation on its
schedule, and the answers. One CSAT per ticket and one answer per survey are unique in
the database, so no sweep or double click makes a second."""

from django.db import models

from tierdesk.customers.models import Contact, Organisation
from tierdesk.tickets.models import Ticket


class SurveyKind(models.TextChoices):
    CSAT = "csat"
    NPS = "nps"


class Survey(models.Model):
    """One invitation to one contact; ``nonce`` is bound into its signed link."""

    class State(models.TextChoices):
        SENT = "sent"
        SKIPPED = "skipped"  # not sent (cool-off, no e-mail address); never reconsidered

    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="surveys")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="surveys")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="surveys")
    language = models.CharField(max_length=8, default="en")
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    nonce = models.CharField(max_length=32)
    state = models.CharField(max_length=8, choices=State.choices, default=State.SENT)
    skip_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="one_survey_per_ticket",
                                    condition=models.Q(ticket__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["contact", "sent_at"], name="survey_cool_off"),
            models.Index(fields=["kind", "sent_at"], name="survey_by_kind_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey #{self.pk}"


class SurveyResponse(models.Model):
    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="response")
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()
    low = models.BooleanField(default=False, help_text="Below the pack's low-score line")
    # Set in the transaction that did the follow-up (task, template, rules): a sweep
    # picks up only answers where it is empty, so each is followed up exactly once.
    followed_up_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]


class NpsSchedule(models.Model):
    """An organisation's NPS calendar: asked every ``every_days`` (else the pack's
    ``nps.every``) from ``next_at`` on."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="nps_schedule")
    every_days = models.PositiveIntegerField(null=True, blank=True)
    next_at = models.DateTimeField(db_index=True)
    active = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
