from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "tierdesk.qa"
    label = "qa"
    verbose_name = "Quality assurance"

    def ready(self) -> None:
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.qa.tasks import qa_sample

        # Hourly is plenty: the draw is weekly and a pass that finds it done does nothing.
        register_periodic("qa_sample", qa_sample, order=60, every=3600)
