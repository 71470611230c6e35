from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "tierdesk.outbox"
    label = "outbox"
