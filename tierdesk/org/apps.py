from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tierdesk.org"
    label = "org"
    verbose_name = "Support organisation"
