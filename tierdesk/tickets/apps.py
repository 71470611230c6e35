from django.apps import AppConfig


def _open_tickets_by_priority():
    from django.db.models import Count

    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.statuses import UNRESOLVED

    rows = (Ticket.objects.filter(status__in=UNRESOLVED).values_list("priority")
            .annotate(n=Count("id")).order_by())
    return [((priority or "none",), n) for priority, n in rows]


class TicketsConfig(AppConfig):
    name = "tierdesk.tickets"
    label = "tickets"

    def ready(self) -> None:
        from tierdesk.common.metrics import register_gauge

        register_gauge("tierdesk_open_tickets", "Unresolved tickets by priority",
                       ("priority",), _open_tickets_by_priority)
