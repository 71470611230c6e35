from django.db import models


class ScheduledReportRun(models.Model):
    """One sending of a pack's scheduled report for one period: the unique pair makes the
    sweep send it once however often it runs, and the figures are kept as sent."""

    name = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    period = models.CharField(max_length=16)  # 2026-11-30, 2026-W48, 2026-11, 2026-Q4
    figures = models.JSONField(default=dict)
    goals = models.JSONField(default=list)
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"],
                                               name="one_report_per_period")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"
