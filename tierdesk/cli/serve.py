"""`tierdesk serve`, `tierdesk demo` and `tierdesk worker`: run the product."""

import argparse
import os
import sys

from tierdesk.cli.setup import django_setup, prepare_instance


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, load the demo once, then run gunicorn plus the in-process sweeps."""
    _share_metrics_between_processes()
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
    """Run a Celery worker with beat (needs TIERDESK_BROKER_URL)."""
    django_setup()
    from django.conf import settings

    if not settings.BROKER_URL:
        print("tierdesk worker: set TIERDESK_BROKER_URL (e.g. redis://127.0.0.1:6379/0)",
              file=sys.stderr)
        return 2
    from tierdesk.celery import app

    app.worker_main(["worker", "--beat", "--loglevel", "INFO", *args.celery_args])
    return 0


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

    worker = sub.add_parser("worker", help="run a Celery worker + beat (needs a broker)")
    worker.add_argument("celery_args", nargs=argparse.REMAINDER)
    worker.set_defaults(func=cmd_worker)
