"""`tierdesk sweep`: run every periodic sweep once, or forever (the `serve` child)."""

import argparse
import os
import sys

from tierdesk.cli.setup import django_setup


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every periodic sweep once (optionally as of ``--now``) and print what it did."""
    django_setup()
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
        return _sweep_forever(args.parent_pid)
    for name, count in SweepScheduler(interval=0).run_once().items():
        print(f"{name}: {count}")
    return 0


def _sweep_forever(parent_pid: int | None) -> int:
    """Run the sweeps on their timer thread until SIGTERM/SIGINT, or until the server
    that started us (``parent_pid``) is gone: an orphan would sweep beside the next
    server's sweeper."""
    import signal
    import threading

    from django.conf import settings

    from tierdesk.common.process import die_with_parent
    from tierdesk.jobs.scheduler import SweepScheduler

    if parent_pid is not None:
        die_with_parent()
        if os.getppid() != parent_pid:
            return 0  # the server died while we started
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = SweepScheduler(settings.SWEEP_INTERVAL_SECONDS)
    scheduler.start()
    while not stop.wait(1.0):
        if parent_pid is not None and os.getppid() != parent_pid:
            break
    scheduler.stop()
    return 0


def register(sub) -> None:
    sweep = sub.add_parser("sweep", help="run every periodic sweep once")
    sweep.add_argument("--now", help="act as if it were this instant (ISO-8601 with offset)")
    sweep.add_argument("--loop", action="store_true",
                       help="keep sweeping every TIERDESK_SWEEP_INTERVAL seconds")
    sweep.add_argument("--parent-pid", type=int,
                       help="with --loop: stop when this process (the server) is gone")
    sweep.set_defaults(func=cmd_sweep)
