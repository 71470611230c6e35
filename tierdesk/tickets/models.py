"""Tickets, their messages and attachments, and the append-only audit log."""

from django.conf import settings
from django.db import models

from tierdesk.customers.models import Contact, Organisation
from tierdesk.people.models import Agent, Group, Tier


class Channel(models.TextChoices):
    EMAIL = "email"
    PORTAL = "portal"
    CHAT = "chat"
    PHONE = "phone"
    SLACK = "slack"
    SOCIAL = "social"
    API = "api"
    CHATBOT = "chatbot"


class Status(models.TextChoices):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Ticket(models.Model):
    subject = models.CharField(max_length=300)
    requester = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets")
    # No single-column index on organisation, group or assignee: the (column, -id)
    # indexes in Meta serve those lookups too, and every insert writes each index.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tickets", null=True, blank=True,
        db_index=False,
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    priority = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True)
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        db_index=False,
    )
    category = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, default="en")
    tags = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", db_index=False,
        help_text="Who opened it: an agent keeps seeing a ticket they opened wherever it goes",
    )
    classified_by = models.CharField(
        max_length=200, blank=True, help_text="The pack rule that set the priority, or 'agent'"
    )
    sla_pack_version = models.ForeignKey(
        "packs.PolicyPackVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="The policy pack version that last set this ticket's SLA",
    )
    rules_check_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When a time rule (e.g. P1 unresolved after 2h) may next fire",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_tickets"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organisation", "-id"]),
            models.Index(fields=["group", "-id"]),
            models.Index(fields=["assignee", "-id"]),
            models.Index(fields=["status", "-id"]),
            models.Index(fields=["priority", "-id"]),
            models.Index(fields=["created_by", "-id"]),
            # The survey sweep's "solved a day ago" range; partial, so the many inserts of
            # unsolved tickets write nothing to it.
            models.Index(fields=["solved_at"], name="ticket_solved_at",
                         condition=models.Q(solved_at__isnull=False)),
            # The SLA board's open totals per priority, queue and agent: one GROUP BY over
            # this index alone, in its order (issue 11), not over the ticket rows. Partial
            # (open tickets only) and not led by status, so no other query's plan picks it
            # over its own index; queries match it with the statuses in this order.
            models.Index(fields=["priority", "group", "assignee", "status"],
                         name="ticket_open_load",
                         condition=models.Q(status__in=["new", "on_hold", "open", "pending"])),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Message(models.Model):
    """A public reply (the requester sees it) or an internal note (agents only)."""

    class Kind(models.TextChoices):
        REPLY = "reply"
        NOTE = "note"

    # Indexed by (ticket, id) in Meta, which also serves lookups by ticket alone.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages",
                               db_index=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Sanitised with nh3 before storage")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"])]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()


class TicketEventType(models.TextChoices):
    CREATED = "created"
    REPLIED = "replied"
    NOTE_ADDED = "note_added"
    ASSIGNED = "assigned"
    PRIORITY_CHANGED = "priority_changed"
    STATUS_CHANGED = "status_changed"
    FIELD_CHANGED = "field_changed"
    MERGED = "merged"
    MERGED_INTO = "merged_into"
    REOPENED = "reopened"
    SLA_TARGETS_SET = "sla_targets_set"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    ESCALATED = "escalated"
    CREDIT_ISSUED = "credit_issued"
    ACTION_SKIPPED = "action_skipped"
    DE_ESCALATED = "de_escalated"
    RULE_FIRED = "rule_fired"
    RULE_LOOP_STOPPED = "rule_loop_stopped"


class TicketEventManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        """Any read of events first writes those a write batch has gathered, so code that
        reads a ticket's history back (SLA replay, a template naming the team) sees it."""
        from tierdesk.tickets import batch

        batch.flush_events()
        return super().get_queryset()


class TicketEvent(models.Model):
    """One row per change: the audit log that lets any ticket's history be replayed."""

    # Indexed by (ticket, id) in Meta, which also serves lookups by ticket alone.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events",
                               db_index=False)
    # Not a choices field: every domain app adds its own event types (see TicketEventType).
    type = models.CharField(max_length=32, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects = TicketEventManager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"])]


class IdempotencyKey(models.Model):
    """Remembers the ticket a keyed create made, so a retry returns it instead of a copy."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]


class TicketFollower(models.Model):
    """An agent keeping a ticket in sight wherever routing sends it: one who asked to, or
    who escalated or handed it on (they hear how it ends)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    since = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="one_follow_per_user")
        ]
