from datetime import datetime

from django.apps import AppConfig


def _deliver_outbox(now: datetime | None = None) -> int:
    from tierdesk.outbox.services import deliver_due

    return deliver_due(now=now)


def _messages_by_state():
    from django.db.models import Count

    from tierdesk.outbox.models import OutboxMessage

    rows = (OutboxMessage.objects.exclude(state=OutboxMessage.State.DELIVERED)
            .values_list("state", "kind").annotate(n=Count("id")).order_by())
    return [((state, kind), n) for state, kind, n in rows]


class OutboxConfig(AppConfig):
    name = "tierdesk.outbox"
    label = "outbox"

    def ready(self) -> None:
        """Register the outbox's own senders and its delivery sweep (last in a pass, so what
        the other sweeps queued goes out in the same pass)."""
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.outbox import services
        from tierdesk.outbox.registry import register_handler

        register_handler("email", services.send_email)
        register_handler("webhook", services.send_webhook)
        register_periodic("deliver_outbox", _deliver_outbox, order=90)
        from tierdesk.common.metrics import register_gauge

        register_gauge("tierdesk_outbox_messages", "Outbox messages not delivered: the "
                       "backlog (pending) and dead letters (dead), by kind",
                       ("state", "kind"), _messages_by_state)
