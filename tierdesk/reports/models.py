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


class ReportFigures(models.Model):
    """The figures computed for one period and one set of filters under one pack version,
    so a dashboard shows a closed period without recounting it (see figure_cache).

    ``event_mark`` is the newest audit event the figures have seen: a closed period's row
    holds while no later event touches the period (an event on one of its tickets, one
    stamped inside it, a survey answer); the period still running holds for a minute.

    On a large desk a page never counts: it shows the stored figures (stale ones marked
    so) and asks the ``reports_count`` job for a recount with ``wanted_at``; ``viewed_at``
    tells that job which views to keep warm (reports.counting).
    """

    kind = models.CharField(max_length=8)  # day, week, month, quarter
    period = models.CharField(max_length=16)
    tz = models.CharField(max_length=64)
    filters = models.CharField(max_length=1000)  # the filters as sorted JSON
    pack_version = models.BigIntegerField(default=0)  # 0: before any pack
    figures = models.JSONField(default=dict)
    event_mark = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()
    wanted_at = models.DateTimeField(null=True, blank=True)  # a page asked for a recount
    viewed_at = models.DateTimeField(null=True, blank=True)  # a page last showed it (±5 min)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["kind", "period", "tz", "filters", "pack_version"],
            name="one_figures_row_per_scope")]

    def __str__(self) -> str:
        return f"{self.period} {self.filters}"
