from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "tierdesk.escalation"
    label = "escalation"

    def ready(self) -> None:
        from tierdesk.common.health import register_warnings
        from tierdesk.escalation.staffing import readiness_warnings

        register_warnings(readiness_warnings)
