from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "tierdesk.risks"
    label = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.risks.tasks import risk_reviews_due

        register_periodic("risk_reviews_due", risk_reviews_due, order=61)
