"""Messages to deliver after commit (email, webhooks), retried until delivered or dead."""

from django.db import models


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"
        SLACK = "slack"
        JIRA = "jira"
        SLA_ACTIONS = "sla_actions"  # a sweep batch's on_breach/on_warning actions

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        DEAD = "dead"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    payload = models.JSONField()
    ticket_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # Kind leads after state so that undeliverable mail (email off) piling up is
        # never scanned by the sweep looking for what it can deliver.
        indexes = [models.Index(fields=["state", "kind", "next_attempt_at"],
                                name="outbox_due_by_kind")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"


class DeliveryAttempt(models.Model):
    """Each try at delivering a message, so an operator can see why it failed."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
