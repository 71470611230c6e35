"""What the agent workspace remembers between requests: who has a ticket open right now
(presence, for the collision notice) and each agent's saved queue filters."""

from django.conf import settings
from django.db import models

from tierdesk.people.models import Agent, Group
from tierdesk.tickets.models import Ticket


class TicketPresence(models.Model):
    """One agent's heartbeat on one ticket page; stale after ``PRESENCE_TTL``.

    Stored in the database rather than a per-process cache so every web worker sees the
    same agents (a second agent is usually served by another worker)."""

    class State(models.TextChoices):
        VIEWING = "viewing"
        REPLYING = "replying"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.VIEWING)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="one_presence_per_user")
        ]


class SavedFilter(models.Model):
    """A named queue filter of one agent: the same fields the queue page takes."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=80)
    view = models.CharField(max_length=16, default="open")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+")
    priority = models.CharField(max_length=16, blank=True)
    sort = models.CharField(max_length=16, default="due")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "name"], name="saved_filter_name_per_agent")
        ]

    def __str__(self) -> str:
        return self.name
