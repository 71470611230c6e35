from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "tierdesk.escalation"
    label = "escalation"
