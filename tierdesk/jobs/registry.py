"""Every background job by name: the periodic sweeps and the on-commit kicks.

Each job is a plain function taking ``now`` so Celery, the in-process scheduler and the
tests all run the same code.
"""

from collections.abc import Callable
from datetime import datetime


def _deliver_outbox(now: datetime | None = None) -> int:
    from tierdesk.outbox.services import deliver_due

    return deliver_due(now=now)


JOBS: dict[str, Callable[..., int]] = {
    "deliver_outbox": _deliver_outbox,
}

# Jobs the scheduler (Celery beat or the in-process timer) runs every sweep interval.
PERIODIC: tuple[str, ...] = ("deliver_outbox",)


def run(name: str, now: datetime | None = None) -> int:
    return JOBS[name](now=now)
