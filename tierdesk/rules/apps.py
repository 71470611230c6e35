from datetime import datetime

from django.apps import AppConfig


def _rules_sweep(now: datetime | None = None) -> int:
    from tierdesk import clock
    from tierdesk.rules.engine import rules_sweep

    return rules_sweep(now=now or clock.now())


class RulesConfig(AppConfig):
    name = "tierdesk.rules"
    label = "rules"
    verbose_name = "Rules (triggers and automations)"

    def ready(self) -> None:
        """Register the time-rule sweep (after the SLA sweep, before delivery)."""
        from tierdesk.jobs.registry import register_periodic

        register_periodic("rules_sweep", _rules_sweep, order=30)
