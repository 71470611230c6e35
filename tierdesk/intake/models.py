"""Where Slack conversations and social authors come from, so each lands on its ticket."""

from django.db import models

from tierdesk.customers.models import Organisation
from tierdesk.tickets.models import Ticket


class SlackChannel(models.Model):
    """A customer's shared Slack channel (NexaCore: "Dedicated Slack Channel ... V-VIP")."""

    channel_id = models.CharField(max_length=32, unique=True, help_text="Slack's id, C…")
    team_id = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=100, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="slack_channels")

    def __str__(self) -> str:
        return self.name or self.channel_id


class SlackThread(models.Model):
    """A Slack thread that is a ticket: its root message opened it, replies thread on."""

    channel = models.ForeignKey(SlackChannel, on_delete=models.CASCADE, related_name="threads")
    thread_ts = models.CharField(max_length=32)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="slack_thread")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "thread_ts"],
                                               name="one_ticket_per_slack_thread")]
