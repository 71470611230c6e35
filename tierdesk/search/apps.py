from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SearchConfig(AppConfig):
    name = "tierdesk.search"
    label = "search"

    def ready(self) -> None:
        # Each app declares its index in its own ``search`` module (tickets.search, ...):
        # importing them registers every index for ``tierdesk search rebuild``.
        autodiscover_modules("search")
