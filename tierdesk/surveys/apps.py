from datetime import datetime

from django.apps import AppConfig


def _surveys_sweep(now: datetime | None = None) -> int:
    from tierdesk import clock
    from tierdesk.surveys.services import surveys_sweep

    return surveys_sweep(now=now or clock.now())


class SurveysConfig(AppConfig):
    name = "tierdesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys (CSAT, NPS)"

    def ready(self) -> None:
        """Register the survey sweep: after the time rules, before delivery (90), so the
        surveys it queues go out in the same pass."""
        from tierdesk.jobs.registry import register_periodic

        register_periodic("surveys_sweep", _surveys_sweep, order=40)
