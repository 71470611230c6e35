from django.apps import AppConfig


class RefundsConfig(AppConfig):
    name = "tierdesk.refunds"
    label = "refunds"
    verbose_name = "Refunds, credits and cancellations"

    def ready(self) -> None:
        """The payment backend pays approved ledger entries from the outbox."""
        from tierdesk.outbox.registry import register_handler
        from tierdesk.refunds.services import PAYMENT_KIND, pay

        register_handler(PAYMENT_KIND, pay)
