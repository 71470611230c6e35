from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tierdesk.imports"
    label = "imports"
    verbose_name = "History imports"
