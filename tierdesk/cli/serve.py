"""`tierdesk serve`, `tierdesk demo`, `tierdesk worker` and `tierdesk beat`: run the product."""

import argparse
import os
import sys

from tierdesk.cli.setup import compile_bytecode, django_setup, prepare_instance


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, load the demo once, then run gunicorn plus the in-process sweeps."""
    _share_metrics_between_processes()
    compile_bytecode()
    django_setup()
    prepare_instance(load_demo=not args.no_demo)
    _warn_missing_production_settings()
    from tierdesk.web_server import run_server

    return run_server(host=args.host, port=args.port, workers=args.workers)


def _share_metrics_between_processes() -> None:
    """Give the web workers and the sweeper one folder for their Prometheus samples, so
    /metrics on any worker counts them all. Set before anything imports prometheus_client
    (it picks its storage at import); a new, empty folder for each server run."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = tempfile.mkdtemp(prefix="tierdesk-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # forked workers inherit atexit handlers
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)


def _warn_missing_production_settings() -> None:
    from tierdesk.common.checks import tierdesk_deploy_checks

    missing = tierdesk_deploy_checks()
    if missing:
        print(f"{len(missing)} production setting(s) not set "
              "(fine for a trial; `tierdesk check --deploy` lists them)", flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    django_setup()
    prepare_instance(load_demo=False)
    from tierdesk.demo import DEMO_PASSWORD, load_demo

    for line in load_demo():
        print(line)
    print(f"password for every demo login: {DEMO_PASSWORD}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a Celery worker (needs TIERDESK_BROKER_URL); ``--beat`` also runs the schedule.

    Run as many workers as you like, on any host, but one scheduler: a second beat only
    sends every sweep twice (harmless, since sweeps claim their rows, but wasted work).
    """
    app = _celery_app("worker")
    if app is None:
        return 2
    argv = ["worker", "--loglevel", args.loglevel]
    if args.concurrency:
        argv += ["--concurrency", str(args.concurrency)]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    if args.beat:
        argv += ["--beat", "--schedule", _beat_schedule_file()]
    else:
        print("tierdesk worker: sweeps are scheduled by `tierdesk beat` (run exactly one), "
              "or use `tierdesk worker --beat` on a single host", file=sys.stderr, flush=True)
    app.worker_main([*argv, *args.celery_args])
    return 0


def cmd_beat(args: argparse.Namespace) -> int:
    """Run Celery beat alone: it sends each periodic sweep to the workers on its interval."""
    app = _celery_app("beat")
    if app is None:
        return 2
    app.start(["beat", "--loglevel", args.loglevel, "--schedule", _beat_schedule_file(),
               *args.celery_args])
    return 0


def _celery_app(command: str):
    compile_bytecode()
    django_setup()
    from django.conf import settings

    if not settings.BROKER_URL:
        print(f"tierdesk {command}: set TIERDESK_BROKER_URL "
              "(e.g. redis://127.0.0.1:6379/0 or amqp://user:pass@host:5672/vhost)",
              file=sys.stderr)
        return None
    from tierdesk.celery import app

    return app


def _beat_schedule_file() -> str:
    """Beat's record of when each entry last ran: in the data folder, not the cwd."""
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    return str(settings.DATA_DIR / "celerybeat-schedule")


def register(sub) -> None:
    serve = sub.add_parser("serve", help="run the web server and the sweeps")
    serve.add_argument("--host", default=os.environ.get("TIERDESK_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("TIERDESK_PORT", "8000")))
    serve.add_argument("--workers", type=int,
                       default=int(os.environ.get("TIERDESK_WEB_WORKERS", "0")) or None,
                       help="web worker processes (default: one per core)")
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo data set")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load the demo data set (DataFlow handbook examples)")
    demo.set_defaults(func=cmd_demo)

    worker = sub.add_parser("worker", help="run a Celery worker (needs a broker); "
                                           "--beat also runs the sweep schedule")
    worker.add_argument("--beat", action="store_true",
                        help="also run the scheduler in this process (one host only)")
    worker.add_argument("--concurrency", type=int, default=None,
                        help="worker processes (default: one per core)")
    worker.add_argument("--hostname", help="node name (default: celery@host)")
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument("celery_args", nargs=argparse.REMAINDER)
    worker.set_defaults(func=cmd_worker)

    beat = sub.add_parser("beat", help="run the Celery scheduler that sends the periodic "
                                       "sweeps (exactly one per instance)")
    beat.add_argument("--loglevel", default="INFO")
    beat.add_argument("celery_args", nargs=argparse.REMAINDER)
    beat.set_defaults(func=cmd_beat)
