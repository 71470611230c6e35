from datetime import datetime

from django.apps import AppConfig


def _adopt_pack(now: datetime | None = None) -> int:
    from tierdesk.packs.services import adopt_active_pack

    return adopt_active_pack()


class PacksConfig(AppConfig):
    name = "tierdesk.packs"
    label = "packs"
    verbose_name = "Policy packs"

    def ready(self) -> None:
        """Register pack adoption, first in every sweep pass: the later sweeps then judge
        open tickets by the pack now in force."""
        from tierdesk.jobs.registry import register_periodic

        register_periodic("adopt_pack", _adopt_pack, order=10)
