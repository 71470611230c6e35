"""Time one survey sweep over N solved tickets of which a fraction is due (issue 14).

    .venv/bin/python benchmarks/surveys/bench_survey_sweep.py --db sqlite --solved 100000
    .venv/bin/python benchmarks/surveys/bench_survey_sweep.py --db postgres --solved 100000

A scratch database (helpers of ``benchmarks/sla/bench_sweep.py``) gets the DataFlow pack
and N closed tickets solved long ago, except ``--due`` solved 24-25 hours before NOW,
each by its own customer (the week's cool-off would skip repeats). Not timed: seeding.
Timed (``time.perf_counter`` and process CPU): one ``surveys_sweep(now=NOW)`` (it makes
and mails every due CSAT), then idle sweeps (nothing due). Prints the due query's plan.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sla"))

import bench_sweep as sla_bench  # noqa: E402  (scratch database, fixtures)

NOW = sla_bench.NOW


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--solved", type=int, default=100_000, help="solved tickets in history")
    p.add_argument("--due", type=int, default=500, help="of them, solved 24-25 h ago")
    p.add_argument("--idle-repeat", type=int, default=10)
    return p.parse_args(argv)


def seed(n: int, n_due: int, org, contact) -> None:
    from tierdesk.customers.models import Contact
    from tierdesk.tickets.models import Ticket

    due_contacts = Contact.objects.bulk_create(
        [Contact(organisation=org, name=f"Due {i}", email=f"due{i}@bench.example.com")
         for i in range(n_due)], batch_size=2000)
    old = NOW - timedelta(days=60)
    batch = []
    for i in range(n):
        due = i < n_due
        solved = NOW - timedelta(hours=24, minutes=1 + i % 59) if due else old
        batch.append(Ticket(
            subject=f"Bench {i}", requester=due_contacts[i] if due else contact,
            organisation=org, status="closed" if not due else "solved", priority="P2",
            created_at=solved - timedelta(hours=5), updated_at=solved, solved_at=solved,
            closed_at=None if due else solved + timedelta(days=3)))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


def timed() -> tuple[float, float, int]:
    from django.db import connection

    from tierdesk.surveys.services import surveys_sweep

    cpu0, t0 = time.process_time(), time.perf_counter()
    done = surveys_sweep(now=NOW)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    connection.close()
    return seconds, cpu, done


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp, pg_name = sla_bench.scratch_database(args.db, label="surveys")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from tierdesk import clock
        from tierdesk.packs.selectors import active_pack
        from tierdesk.surveys.services import csat_due

        settings.JOBS_INPROCESS = "off"
        clock.freeze(NOW)
        _, org, contact = sla_bench.seed_fixtures()
        seed(args.solved, args.due, org, contact)
        sla_bench.analyze()
        print(f"db={args.db} solved={args.solved} due={args.due}")
        print("due query plan:")
        sql, params = csat_due(pack=active_pack(), now=NOW)[:500].query.sql_with_params()
        with connection.cursor() as cursor:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql, params)
            for row in cursor.fetchall():
                print("   ", row[-1] if connection.vendor == "sqlite" else row[0])
        connection.close()
        seconds, cpu, done = timed()
        print(f"due sweep: {seconds * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU, "
              f"{done} surveys sent ({seconds / max(done, 1) * 1000:.2f} ms each)")
        idle = [timed() for _ in range(args.idle_repeat)]
        assert all(d == 0 for _, _, d in idle), "an idle sweep sent surveys again"
        print(f"idle sweep: median {statistics.median(s for s, _, _ in idle) * 1000:.1f} ms "
              f"wall, {statistics.median(c for _, c, _ in idle) * 1000:.1f} ms CPU "
              f"(of {args.idle_repeat})")
        with open("/proc/loadavg") as f:
            print("load average:", " ".join(f.read().split()[:3]))
        return 0 if done == args.due else 1
    finally:
        sla_bench.drop_database(tmp, pg_name)


if __name__ == "__main__":
    sys.exit(main())
