from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "tierdesk.incidents"
    label = "incidents"
    verbose_name = "Incidents"
