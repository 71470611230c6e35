"""The in-process scheduler `tierdesk serve` runs when no broker is configured."""

import logging
import threading

from django.db import close_old_connections

from tierdesk.jobs import registry

log = logging.getLogger(__name__)


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

    def run_once(self) -> dict[str, int]:
        """Run every periodic job once; one failing job does not stop the others."""
        results: dict[str, int] = {}
        for name in registry.PERIODIC:
            try:
                results[name] = registry.run(name)
            except Exception:
                log.exception("sweep %s failed", name)
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            finally:
                close_old_connections()  # this thread's connection, between passes
            self._stop.wait(self.interval)
