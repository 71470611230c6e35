"""Run Tierdesk under gunicorn (one worker process per core) with the periodic sweeps.

Measured on the 2-core target (see benchmarks/RESULTS.md): sync process workers give the
best latency tail on SQLite, where threads only queue on the single writer. But a live
chat's long-poll (tierdesk/chat/delivery.py) waits up to 20 s, and in a sync worker it
would hold the whole process: two open chats would stop the API on two cores. So each
worker runs ``TIERDESK_WEB_THREADS`` threads (gthread, default 16): a waiting long-poll
holds one thread and sleeps, and at most all but four threads wait at once;
``TIERDESK_WEB_THREADS=1`` is the plain sync worker again (benchmarks/RESULTS.md,
"Live chat", has both measured).

The sweeps' timer thread lives in a child process of its own, never in the gunicorn
master: a thread in the master can hold an import lock at the moment gunicorn forks a
worker, and that worker then deadlocks on its first request.
"""

import os
import subprocess
import sys

from gunicorn.app.base import BaseApplication

from tierdesk.common.process import die_with_parent


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


_sweeper: subprocess.Popen | None = None


def _when_ready(server) -> None:
    """Start the sweeper process once, when no broker (Celery beat) runs the schedule."""
    global _sweeper
    from django.conf import settings
    from django.db import connections

    connections.close_all()  # never share a database connection with forked workers
    if settings.BROKER_URL:
        return
    _sweeper = subprocess.Popen([sys.executable, "-m", "tierdesk.cli", "sweep", "--loop",
                                 "--parent-pid", str(os.getpid())])
    server.log.info("in-process sweeps every %ss (sweeper pid %s)",
                    settings.SWEEP_INTERVAL_SECONDS, _sweeper.pid)


def _on_exit(server) -> None:
    if _sweeper is not None and _sweeper.poll() is None:
        _sweeper.terminate()
        try:
            _sweeper.wait(10)
        except subprocess.TimeoutExpired:
            _sweeper.kill()


def _post_fork(server, worker) -> None:
    from django.db import connections

    # A sync worker notices a dead master only between requests, up to timeout / 2 s
    # later, and keeps the listening socket until then: a restarted server could not
    # bind its port, or an orphan answered in its place.
    die_with_parent()
    connections.close_all()


def run_server(*, host: str, port: int, workers: int | None) -> int:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 2,
        "worker_class": "gthread" if settings.WEB_THREADS > 1 else "sync",
        "threads": settings.WEB_THREADS,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # the JSON request log in RequestLogMiddleware replaces it
        "errorlog": "-",
        "when_ready": _when_ready,
        "post_fork": _post_fork,
        "on_exit": _on_exit,
        "proc_name": "tierdesk",
        # Per instance, not the user-wide ~/.gunicorn/gunicorn.ctl two instances would share.
        "control_socket": str(settings.DATA_DIR / "gunicorn.ctl"),
    }
    print(f"Tierdesk on http://{host}:{port}/  (admin: /admin/, API: /api/v1/docs)", flush=True)
    TierdeskServer(options).run()
    return 0
