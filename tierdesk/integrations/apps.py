from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "tierdesk.integrations"
    label = "integrations"
