"""Send a job to Celery when a broker is configured, else to this process's worker thread."""

import logging
import queue
import threading

from django.conf import settings
from django.db import close_old_connections

from tierdesk.jobs import registry

log = logging.getLogger(__name__)

_queue: "queue.SimpleQueue[str]" = queue.SimpleQueue()
_worker: threading.Thread | None = None
_lock = threading.Lock()


def mode() -> str:
    """Return "celery", "thread" (in-process worker) or "off" (sweeps pick work up later)."""
    if settings.BROKER_URL:
        return "celery"
    return getattr(settings, "JOBS_INPROCESS", "thread")


def kick(name: str) -> None:
    """Ask for job ``name`` to run soon; never raises into the caller's request."""
    current = mode()
    try:
        if current == "celery":
            from tierdesk.jobs.tasks import run_job

            run_job.delay(name)
        elif current == "thread":
            _ensure_worker()
            _queue.put(name)
    except Exception:
        # The periodic sweep will still find the work; a lost kick only delays it.
        log.exception("could not dispatch job %s", name)


def _ensure_worker() -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="tierdesk-jobs", daemon=True)
            _worker.start()


def _work() -> None:
    while True:
        name = _queue.get()
        pending = {name}
        while True:  # coalesce a burst of kicks for the same job into one run
            try:
                pending.add(_queue.get_nowait())
            except queue.Empty:
                break
        for job in sorted(pending):
            try:
                registry.run(job)
            except Exception:
                log.exception("job %s failed", job)
            finally:
                close_old_connections()
