from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "tierdesk.qa"
    label = "qa"
    verbose_name = "Quality assurance"

    def ready(self) -> None:
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.qa.tasks import qa_sample

        # Every pass: a pass that finds the week drawn queues nothing.
        register_periodic("qa_sample", qa_sample, order=60)
