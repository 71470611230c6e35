from datetime import datetime
from typing import Any

from django.apps import AppConfig


def _sla_sweep(now: datetime | None = None) -> int:
    from tierdesk.sla.sweep import sla_sweep

    return sla_sweep(now=now)


def _deliver_sla_actions(message: Any) -> None:
    from tierdesk.sla.sweep import run_deferred_actions

    run_deferred_actions(message.payload)


def _breached_open_clocks():
    from django.db.models import Count

    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.statuses import UNRESOLVED

    rows = (SlaTarget.objects.filter(breached_at__isnull=False, ticket__status__in=UNRESOLVED)
            .values_list("metric").annotate(n=Count("id")).order_by())
    return [((metric,), n) for metric, n in rows]


class SlaConfig(AppConfig):
    name = "tierdesk.sla"
    label = "sla"
    verbose_name = "Service levels"

    def ready(self) -> None:
        """Register the SLA sweep (after pack adoption, before delivery: see jobs.registry)
        and the outbox sender that runs a sweep batch's deferred actions."""
        from tierdesk.common.metrics import register_gauge
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.outbox.registry import register_handler
        from tierdesk.sla.sweep import ACTIONS_KIND

        register_periodic("sla_sweep", _sla_sweep, order=20)
        register_gauge("tierdesk_sla_breached_open", "Breached SLA clocks of unresolved "
                       "tickets, by metric", ("metric",), _breached_open_clocks)
        register_handler(ACTIONS_KIND, _deliver_sla_actions)
