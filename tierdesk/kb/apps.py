from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "tierdesk.kb"
    label = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from tierdesk.jobs.registry import register_periodic
        from tierdesk.kb import sweeps

        # After the rules (30) and before the outbox (90): tasks written here are read by
        # people, not by later jobs.
        register_periodic("kb_handle_time", sweeps.handle_time_sweep, order=40)
        register_periodic("kb_recurring_codes", sweeps.recurring_code_sweep, order=41)
        register_periodic("kb_review_deadlines", sweeps.review_deadline_sweep, order=42)
