"""The in-process scheduler `tierdesk serve` runs when no broker is configured."""

import logging
import threading
import time

from django.db import close_old_connections

from tierdesk.common import metrics
from tierdesk.jobs import registry

log = logging.getLogger(__name__)


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

    def run_once(self, *, only_due: bool = False) -> dict[str, int]:
        """Run every periodic job once, in pass order; one failing job does not stop the
        others. With ``only_due``, skip a job whose ``every`` has not passed since its last run.
        """
        results: dict[str, int] = {}
        for name in registry.periodic_names():
            if not self._claim_turn(name, only_due=only_due):
                continue
            started = time.perf_counter()
            try:
                results[name] = registry.run(name)
            except Exception:
                metrics.SWEEP_FAILURES.labels(name).inc()
                log.exception("sweep %s failed", name)
            finally:
                metrics.SWEEP_SECONDS.labels(name).observe(time.perf_counter() - started)
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
