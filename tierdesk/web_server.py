"""Run Tierdesk under gunicorn (sync workers, one per core) with the in-process sweeps.

Measured on the 2-core target (see benchmarks/RESULTS.md): sync process workers give the
best latency tail on SQLite, where threads only queue on the single writer.
"""

import os

from gunicorn.app.base import BaseApplication


class TierdeskServer(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from tierdesk.wsgi import application

        return application


def _when_ready(server) -> None:
    """Start the sweep timer in the master once, when no broker runs the schedule."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()  # never share a database connection with forked workers
    if settings.BROKER_URL:
        return
    from tierdesk.jobs.scheduler import SweepScheduler

    scheduler = SweepScheduler(settings.SWEEP_INTERVAL_SECONDS)
    scheduler.start()
    server.log.info("in-process sweeps every %ss", settings.SWEEP_INTERVAL_SECONDS)


def _post_fork(server, worker) -> None:
    from django.db import connections

    connections.close_all()


def run_server(*, host: str, port: int, workers: int | None) -> int:
    from django.db import connections

    connections.close_all()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 2,
        "worker_class": "sync",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # the JSON request log in RequestLogMiddleware replaces it
        "errorlog": "-",
        "when_ready": _when_ready,
        "post_fork": _post_fork,
        "proc_name": "tierdesk",
    }
    print(f"Tierdesk on http://{host}:{port}/  (admin: /admin/, API: /api/v1/docs)", flush=True)
    TierdeskServer(options).run()
    return 0
