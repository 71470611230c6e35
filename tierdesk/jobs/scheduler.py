"""The in-process scheduler `tierdesk serve` runs when no broker is configured."""

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, transaction

from tierdesk.common import metrics
from tierdesk.jobs import registry

log = logging.getLogger(__name__)

# Jobs that reach outside the database (mail, webhooks, Slack): a dry run never runs them.
SENDING_JOBS = frozenset({"deliver_outbox"})

Observer = Callable[[str, int | None], None]


class SweepScheduler:
    """Run the registered periodic jobs, in their order, every ``interval`` seconds on a
    daemon thread (a job registered with a longer ``every`` only once that has passed).

    Sweeps claim their work, so running this next to Celery beat or a second server
    never acts twice on one row.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tierdesk-sweeps", daemon=True)
        self._last_run: dict[str, float] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self, *, only_due: bool = False, dry_run: bool = False,
                 observe: Observer | None = None) -> dict[str, int]:
        """Run every periodic job once, in pass order; one failing job does not stop the
        others. With ``only_due``, skip a job whose ``every`` has not passed since its last run.

        ``dry_run`` runs them in one transaction that is rolled back (each job in its own
        savepoint, so later jobs see what earlier ones would do) and skips the jobs that
        send; ``observe(name, count)`` is called after each job, inside that transaction,
        so a caller can describe what the job would have written (``count`` is None for a
        skipped job).
        """
        if not dry_run:
            return self._run_jobs(only_due=only_due, observe=observe)
        with transaction.atomic():
            results = self._run_jobs(only_due=only_due, observe=observe, dry_run=True)
            transaction.set_rollback(True)
        return results

    def _run_jobs(self, *, only_due: bool, observe: Observer | None,
                  dry_run: bool = False) -> dict[str, int]:
        results: dict[str, int] = {}
        for name in registry.periodic_names():
            if dry_run and name in SENDING_JOBS:
                if observe is not None:
                    observe(name, None)
                continue
            if not dry_run and not self._claim_turn(name, only_due=only_due):
                continue
            started = time.perf_counter()
            try:
                if dry_run:
                    with transaction.atomic():
                        results[name] = registry.run(name)
                else:
                    results[name] = registry.run(name)
            except Exception:
                metrics.SWEEP_FAILURES.labels(name).inc()
                log.exception("sweep %s failed", name)
                continue
            finally:
                if not dry_run:
                    metrics.SWEEP_SECONDS.labels(name).observe(time.perf_counter() - started)
            if observe is not None:
                observe(name, results[name])
        return results

    def _claim_turn(self, name: str, *, only_due: bool) -> bool:
        every = registry.get(name).every
        now, last = time.monotonic(), self._last_run.get(name)
        if only_due and every is not None and last is not None and now - last < every:
            return False
        self._last_run[name] = now
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once(only_due=True)
            finally:
                close_old_connections()  # this thread's connection, between passes
            self._stop.wait(self.interval)
