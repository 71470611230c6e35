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

The master imports the app (and its URLs) once, before it forks (``preload_app``): each
worker and the sweeper start with everything loaded, so a restart after ``kill -9`` answers
as soon as the master has imported, instead of after every process imported Django and
the app again on a CPU they share (issue 15: 10-15 s on two busy cores).
"""

import contextlib
import logging
import os
import signal
import threading
import time

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
        from django.urls import get_resolver

        from tierdesk.wsgi import application

        get_resolver().url_patterns  # noqa: B018 - import every view now, not per worker
        _warm()
        return application


def _warm() -> None:
    """Do in the master, once, what every worker's first requests would each do, then
    take the master's objects out of the garbage collector's reach before it forks.

    1. Parse the active policy pack (cached per applied version): 60-250 ms of CPU that
       the first ticket change in each fresh worker paid while holding the writer
       (benchmarks/chat, round 0 of a new server).
    2. Load the translation catalogues of every language (5-17 ms each, on the first
       request in that language otherwise).
    3. ``gc.freeze()``: the ~120,000 objects of Django and the app imported here are never
       garbage, yet every full collection in a worker walked them all: 75-350 ms pauses
       in the middle of requests, the chat benchmark's worst tail. Frozen, a worker's
       full collection walks only what the worker made (and the pages stay shared).
    """
    import gc

    from django.db import connections

    try:
        from tierdesk.packs.selectors import active_pack

        active_pack()
    except Exception:  # noqa: BLE001 - a database not migrated yet: workers parse it later
        logging.getLogger(__name__).debug("no pack to warm", exc_info=True)
    finally:
        connections.close_all()  # never hand a connection to forked workers
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")
    gc.freeze()  # no collect first: it cost a restart ~75 ms to free a little memory


_sweeper: int | None = None
# The arbiter's handlers, which a forked sweeper must not run.
_ARBITER_SIGNALS = (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                    signal.SIGWINCH, signal.SIGTTIN, signal.SIGTTOU, signal.SIGCHLD)


def _when_ready(server) -> None:
    """Start the sweeper process once, when no broker (Celery beat) runs the schedule."""
    global _sweeper
    from django.conf import settings
    from django.db import connections

    connections.close_all()  # never share a database connection with forked workers
    if settings.BROKER_URL:
        return
    _sweeper = _fork_sweeper(server, os.getpid())
    server.log.info("in-process sweeps every %ss (sweeper pid %s)",
                    settings.SWEEP_INTERVAL_SECONDS, _sweeper)


def _fork_sweeper(server, master: int) -> int:
    """Fork the sweeper from the preloaded master (no second interpreter to start)."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for sig in _ARBITER_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        for listener in server.LISTENERS:  # only the workers answer requests
            listener.close()
        from tierdesk.cli.sweep import _sweep_forever

        code = _sweep_forever(master)
    except BaseException:
        logging.getLogger(__name__).exception("the sweeper stopped")
    finally:
        logging.shutdown()
        os._exit(code)


def _on_exit(server) -> None:
    if _sweeper is None:
        return
    try:
        os.kill(_sweeper, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            if os.waitpid(_sweeper, os.WNOHANG)[0]:
                return
        except ChildProcessError:  # the arbiter reaped it already
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(_sweeper, signal.SIGKILL)


def _post_fork(server, worker) -> None:
    from django.db import connections

    # A sync worker notices a dead master only between requests, up to timeout / 2 s
    # later, and keeps the listening socket until then: a restarted server could not
    # bind its port, or an orphan answered in its place.
    die_with_parent()
    connections.close_all()
    threading.Thread(target=_warm_languages, name="tierdesk-warm-languages",
                     daemon=True).start()


def _warm_languages() -> None:
    """Load the active pack's language models in the background as the worker starts:
    lingua loads them on first use, 0.75 s that the worker's first ticket paid inside
    its write transaction, holding SQLite's writer. Not in the master before the fork
    (shared pages, but 0.7 s more before a restarted server answers), and not with
    lingua's own preloading (a thread pool: a worker forked after it hangs). Loading
    releases the interpreter lock: the worker's requests run meanwhile."""
    from django.db import connections

    try:
        from tierdesk.languages.detection import warm
        from tierdesk.packs.selectors import active_pack

        warm(active_pack())
    except Exception:  # noqa: BLE001 - a cold first detection is slow, never wrong
        logging.getLogger(__name__).warning("language models not preloaded", exc_info=True)
    finally:
        connections.close_all()  # this thread's own connection


def run_server(*, host: str, port: int, workers: int | None) -> int:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 2,
        "worker_class": "gthread" if settings.WEB_THREADS > 1 else "sync",
        "threads": settings.WEB_THREADS,
        "preload_app": True,
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
