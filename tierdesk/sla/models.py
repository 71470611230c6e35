"""The live SLA clock of each ticket and metric, stored for sweeps and the API."""

from django.db import models
from django.db.models import Q

from tierdesk.packs.models import PolicyPackVersion
from tierdesk.tickets.models import Ticket


class SlaTarget(models.Model):
    """One metric's clock (first response, next response, periodic update, resolution).

    ``due_at``/``warn_at`` are set only while the clock runs, and the partial indexes hold
    only clocks still to be warned or breached, so a sweep touches just what is due.
    """

    class State(models.TextChoices):
        RUNNING = "running"
        PAUSED = "paused"
        MET = "met"
        STOPPED = "stopped"

    # No index of its own on either foreign key: every index is written again each time
    # the sweep marks a clock (a marked clock leaves the partial indexes, so its update
    # cannot be HOT), and these two were never read. Lookups and cascades by ticket use
    # the leading column of one_clock_per_metric; pack versions are never deleted.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_targets",
                               db_index=False)
    metric = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=State.choices)
    policy = models.CharField(max_length=200)
    pack_version = models.ForeignKey(PolicyPackVersion, on_delete=models.PROTECT,
                                     db_index=False)
    target_minutes = models.PositiveIntegerField()
    elapsed_seconds = models.FloatField(default=0, help_text="Business time used until resumed_at")
    resumed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket_id", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="one_clock_per_metric"),
        ]
        indexes = [
            # Keyed (due time, ticket newest first) so the workspace reads the clocks it
            # needs, in the queue's order, from the index alone (PostgreSQL: index-only
            # scans), never from the table: the sweep's "overdue" range uses it as well.
            models.Index(fields=["due_at", "-ticket"], name="sla_due_unbreached",
                         condition=Q(state="running", breached_at__isnull=True)),
            models.Index(fields=["warn_at"], name="sla_warn_unwarned",
                         condition=Q(state="running", warned_at__isnull=True,
                                     breached_at__isnull=True)),
            # The workspace's "breached" and "breaching soon" views and the SLA board
            # read these small sets (about the 1% of clocks in trouble) by due time.
            models.Index(fields=["due_at", "-ticket"], name="sla_due_breached_unmet",
                         condition=Q(breached_at__isnull=False, met_at__isnull=True)),
            models.Index(fields=["due_at", "-ticket"], name="sla_due_warned",
                         condition=Q(state="running", warned_at__isnull=False,
                                     breached_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.metric} {self.state}"
