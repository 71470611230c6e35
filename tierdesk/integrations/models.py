"""Links between tickets and the records other teams' tools keep about them."""

from django.db import models

from tierdesk.tickets.models import Ticket


class JiraLink(models.Model):
    """A Jira issue opened for a ticket, so Jira's status changes find their way back.

    ``outbox_message_id`` names the delivery that opened the issue: a retried delivery
    that finds its link already recorded does not open a second issue. It is a plain
    id, not a foreign key, so pruning delivered outbox rows never touches the link.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="jira_links")
    issue_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=64, blank=True,
                              help_text="Jira's status name; blank until Jira reports one")
    outbox_message_id = models.BigIntegerField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.issue_key} (ticket #{self.ticket_id})"
