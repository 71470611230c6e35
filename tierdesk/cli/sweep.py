"""`tierdesk sweep`: run every periodic sweep once, or forever (the `serve` child)."""

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta

from tierdesk.cli.setup import django_setup

# How far ahead of the real clock `--now` may be before it counts as "the future".
FUTURE_TOLERANCE = timedelta(minutes=1)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every periodic sweep once (optionally as of ``--now``) and print what it did.

    A ``--now`` in the future would write future-dated breaches, escalations and
    notifications into live data, so it is refused on an instance with tickets unless
    ``--force``; ``--dry-run`` (any time) prints what would happen and writes nothing.
    """
    django_setup()
    from tierdesk import clock
    from tierdesk.jobs.scheduler import SweepScheduler

    at = None
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
        refusal = _future_refusal(at, force=args.force, dry_run=args.dry_run)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        clock.freeze(at)
    if args.loop:
        if args.dry_run:
            print("tierdesk sweep: --dry-run runs one pass; it cannot --loop", file=sys.stderr)
            return 2
        return _sweep_forever(args.parent_pid)
    if args.dry_run:
        return _dry_run(clock.now())
    for name, count in SweepScheduler(interval=0).run_once().items():
        print(f"{name}: {count}")
    return 0


def _future_refusal(at: datetime, *, force: bool, dry_run: bool) -> str | None:
    """Return why a sweep at ``at`` is refused, or None. The real clock decides what the
    future is (never the frozen one)."""
    real_now = datetime.now(UTC)
    if at <= real_now + FUTURE_TOLERANCE or force or dry_run:
        return None
    from tierdesk.tickets.models import Ticket

    tickets = Ticket.objects.count()
    if not tickets:
        return None
    return (f"tierdesk sweep: --now {at.isoformat()} is {_ahead(at - real_now)} ahead of the "
            f"real clock ({real_now.isoformat(timespec='seconds')}); a sweep then would write "
            f"future-dated breaches, escalations and notifications into the {tickets} "
            f"ticket(s) of this instance. Nothing was done. Use --dry-run to see what it "
            f"would do, or --force to run it anyway.")


def _ahead(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "less than a minute"


def _dry_run(now: datetime) -> int:
    from tierdesk.tickets.sweep_preview import preview_sweeps

    print(f"dry run as of {now.isoformat()}: nothing is written or sent")
    for preview in preview_sweeps(now=now):
        count = "not run (it sends)" if preview.count is None else str(preview.count)
        print(f"{preview.name}: {count}")
        for line in preview.lines:
            print(f"  {line}")
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
    sweep.add_argument("--now", help="act as if it were this instant (ISO-8601 with offset); "
                                     "a future instant needs --force or --dry-run")
    sweep.add_argument("--dry-run", action="store_true",
                       help="print what each sweep would do; write and send nothing")
    sweep.add_argument("--force", action="store_true",
                       help="allow a --now later than the real clock on an instance with data")
    sweep.add_argument("--loop", action="store_true",
                       help="keep sweeping every TIERDESK_SWEEP_INTERVAL seconds")
    sweep.add_argument("--parent-pid", type=int,
                       help="with --loop: stop when this process (the server) is gone")
    sweep.set_defaults(func=cmd_sweep)
