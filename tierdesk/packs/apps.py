from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "tierdesk.packs"
    label = "packs"
    verbose_name = "Policy packs"
