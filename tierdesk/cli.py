"""The `tierdesk` command: serve, demo, tokens, policy packs, sweeps, and manage passthrough."""

import argparse
import os
import sys
from collections.abc import Sequence


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    import django

    django.setup()


def _prepare(load_demo: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if load_demo:
        from tierdesk.demo import demo_loaded
        from tierdesk.demo import load_demo as load

        if not demo_loaded():
            for line in load():
                print(line)


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, load the demo once, then run gunicorn plus the in-process sweeps."""
    _setup()
    _prepare(load_demo=not args.no_demo)
    from tierdesk.web_server import run_server

    return run_server(host=args.host, port=args.port, workers=args.workers)


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    _prepare(load_demo=False)
    from tierdesk.demo import DEMO_PASSWORD, load_demo

    for line in load_demo():
        print(line)
    print(f"password for every demo login: {DEMO_PASSWORD}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth import get_user_model

    from tierdesk.people.services import token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"tierdesk token: no user named {args.username!r}", file=sys.stderr)
        return 2
    _, secret = token_create(user=user, name=args.name)
    print(secret)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every periodic sweep once (optionally as of ``--now``) and print what it did."""
    _setup()
    from datetime import datetime

    from tierdesk import clock
    from tierdesk.jobs.scheduler import SweepScheduler

    if args.now:
        try:
            at = datetime.fromisoformat(args.now)
        except ValueError:
            print(f"tierdesk sweep: --now {args.now!r} is not an ISO-8601 instant",
                  file=sys.stderr)
            return 2
        if at.tzinfo is None:
            print("tierdesk sweep: --now needs a UTC offset, e.g. 2026-11-23T09:00+00:00",
                  file=sys.stderr)
            return 2
        clock.freeze(at)
    if args.loop:
        return _sweep_forever()
    for name, count in SweepScheduler(interval=0).run_once().items():
        print(f"{name}: {count}")
    return 0


def _sweep_forever() -> int:
    """Run the sweeps on their timer thread until SIGTERM/SIGINT (`tierdesk serve` child)."""
    import signal
    import threading

    from django.conf import settings

    from tierdesk.jobs.scheduler import SweepScheduler

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = SweepScheduler(settings.SWEEP_INTERVAL_SECONDS)
    scheduler.start()
    stop.wait()
    scheduler.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a Celery worker with beat (needs TIERDESK_BROKER_URL)."""
    _setup()
    from django.conf import settings

    if not settings.BROKER_URL:
        print("tierdesk worker: set TIERDESK_BROKER_URL (e.g. redis://127.0.0.1:6379/0)",
              file=sys.stderr)
        return 2
    from tierdesk.celery import app

    app.worker_main(["worker", "--beat", "--loglevel", "INFO", *args.celery_args])
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tierdesk manage", *args.rest])
    return 0


def cmd_createsuperuser(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tierdesk", "createsuperuser", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tierdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

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

    token = sub.add_parser("token", help="create an API token for a user (printed once)")
    token.add_argument("username")
    token.add_argument("--name", default="cli")
    token.set_defaults(func=cmd_token)

    sweep = sub.add_parser("sweep", help="run every periodic sweep once")
    sweep.add_argument("--now", help="act as if it were this instant (ISO-8601 with offset)")
    sweep.add_argument("--loop", action="store_true",
                       help="keep sweeping every TIERDESK_SWEEP_INTERVAL seconds")
    sweep.set_defaults(func=cmd_sweep)

    worker = sub.add_parser("worker", help="run a Celery worker + beat (needs a broker)")
    worker.add_argument("celery_args", nargs=argparse.REMAINDER)
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    su = sub.add_parser("createsuperuser", help="create an administrator login")
    su.add_argument("rest", nargs=argparse.REMAINDER)
    su.set_defaults(func=cmd_createsuperuser)

    from tierdesk.policy_cli import add_policy_commands

    add_policy_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
