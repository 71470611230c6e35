from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tierdesk.web"
    label = "web"
    verbose_name = "Web UI"
