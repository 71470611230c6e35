"""Every background job by name: the periodic sweeps and the on-commit kicks.

Each job is a plain function taking ``now`` so Celery, the in-process scheduler and the
tests all run the same code.
"""

from collections.abc import Callable
from datetime import datetime


def _deliver_outbox(now: datetime | None = None) -> int:
    from tierdesk.outbox.services import deliver_due

    return deliver_due(now=now)


def _sla_sweep(now: datetime | None = None) -> int:
    from tierdesk.sla.sweep import sla_sweep

    return sla_sweep(now=now)


def _rules_sweep(now: datetime | None = None) -> int:
    from tierdesk import clock
    from tierdesk.rules.engine import rules_sweep

    return rules_sweep(now=now or clock.now())


def _adopt_pack(now: datetime | None = None) -> int:
    from tierdesk.packs.services import adopt_active_pack

    return adopt_active_pack()


JOBS: dict[str, Callable[..., int]] = {
    "deliver_outbox": _deliver_outbox,
    "sla_sweep": _sla_sweep,
    "adopt_pack": _adopt_pack,
    "rules_sweep": _rules_sweep,
}

# Jobs the scheduler (Celery beat or the in-process timer) runs every sweep interval.
# The SLA sweep runs first so the warnings and breaches it queues go out in the same pass.
PERIODIC: tuple[str, ...] = ("adopt_pack", "sla_sweep", "rules_sweep", "deliver_outbox")


def run(name: str, now: datetime | None = None) -> int:
    return JOBS[name](now=now)
