from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tierdesk.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from tierdesk.reports import (  # noqa: F401
            counting,
            domain_metrics,
            scheduled,
            sla_metrics,
            ticket_metrics,
        )

        scheduled.register()
        counting.register()
