from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "tierdesk.rules"
    label = "rules"
    verbose_name = "Rules (triggers and automations)"
