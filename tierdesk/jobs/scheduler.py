"""The in-process scheduler `tierdesk serve` runs when no broker is configured."""

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, transaction

from tierdesk.jobs import registry

log = logging.getLogger(__name__)

# Jobs that reach outside the database (mail, webhooks, Slack): a dry run never runs them.
SENDING_JOBS = frozenset({"deliver_outbox"})


class SweepScheduler:
    """Run every periodic job each ``interval`` seconds on a daemon thread.

    Sweeps claim their work, so running this next to Celery beat or a second server
    never acts twice on one row.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tierdesk-sweeps", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self, *, dry_run: bool = False,
                 observe: Callable[[str, int | None], None] | None = None) -> dict[str, int]:
        """Run every periodic job once; one failing job does not stop the others.

        ``dry_run`` runs them in one transaction that is rolled back (each job in its own
        savepoint, so later jobs see what earlier ones would do) and skips the jobs that
        send; ``observe(name, count)`` is called after each job, inside that transaction,
        so a caller can describe what the job would have written (``count`` is None for a
        skipped job).
        """
        if not dry_run:
            return self._run_jobs(observe=observe)
        with transaction.atomic():
            results = self._run_jobs(observe=observe, dry_run=True)
            transaction.set_rollback(True)
        return results

    def _run_jobs(self, *, observe: Callable[[str, int | None], None] | None,
                  dry_run: bool = False) -> dict[str, int]:
        results: dict[str, int] = {}
        for name in registry.PERIODIC:
            if dry_run and name in SENDING_JOBS:
                if observe is not None:
                    observe(name, None)
                continue
            try:
                if dry_run:
                    with transaction.atomic():
                        results[name] = registry.run(name)
                else:
                    results[name] = registry.run(name)
            except Exception:
                log.exception("sweep %s failed", name)
                continue
            if observe is not None:
                observe(name, results[name])
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            finally:
                close_old_connections()  # this thread's connection, between passes
            self._stop.wait(self.interval)
