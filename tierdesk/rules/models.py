"""Where each pack rule stands for each ticket, so a rule fires once per episode."""

from django.db import models

from tierdesk.tickets.models import Ticket


class RuleState(models.Model):
    """``active`` while the rule's condition holds since it last fired; it may fire again
    only after the condition has been false (a new episode), unless the rule repeats."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rule_states")
    rule = models.CharField(max_length=200)
    active = models.BooleanField(default=False)
    fired_count = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "rule"],
                                               name="one_state_per_rule")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.rule} ({'active' if self.active else 'idle'})"
