"""Who holds which box of the pack's organisation chart.

The chart itself (positions, reporting lines, cover) lives in the active pack; only the
people placed in it are rows here, so a new pack version redraws the chart and keeps the
placements whose positions it still names.
"""

from django.db import models

from tierdesk.people.models import Agent


class Placement(models.Model):
    """``agent`` holds ``position`` (a code of the pack's ``organisation.positions``).

    ``away`` marks a holder as unavailable (leave, travel): notifications and ownership go
    to the position's other holders, else to whoever ``covered_by`` names.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="placements")
    position = models.CharField(max_length=64, db_index=True)
    away = models.BooleanField(default=False)
    since = models.DateTimeField()

    class Meta:
        ordering = ["position", "agent__user__username"]
        constraints = [models.UniqueConstraint(fields=["agent", "position"],
                                               name="one_placement_per_agent_position")]

    def __str__(self) -> str:
        return f"{self.agent} as {self.position}"
