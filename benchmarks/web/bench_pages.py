"""Server time of the agent's queue page and ticket page with N tickets (issue 11).

    .venv/bin/python benchmarks/web/bench_pages.py --db sqlite --tickets 100000
    .venv/bin/python benchmarks/web/bench_pages.py --db postgres --tickets 100000

Seeds a database with benchmarks/sla's loader (the DataFlow pack applied, N open
Enterprise P1 tickets, each with running first-response and resolution clocks, 1% of them
overdue), spreads the tickets over 10 queues, and signs in a *group-scoped* agent (one of
the 10 queues, so the scope filter runs; three saved filters in the sidebar) and a support
manager (sees every queue). Then renders each page in-process through Django's test client
(middleware, session, templates: everything but the socket) and prints wall and CPU time
per page (p50/p95) with the SQL queries per page. The ticket page is measured on a ticket
with a long timeline and on one with a short one, and the queue as the agent (N/10 tickets
in scope) and as the manager (N): equal query counts show that no query runs per row or
per timeline entry. Print the load average next to any figure you keep (it is printed).

The seeded database is kept (SQLite: --data-dir; PostgreSQL: --pg-name) and reused by the
next run with the same --tickets (migrated first, so indexes added since apply); --fresh
seeds again. --profile URL prints where the CPU of URL's renders goes (cProfile).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sla"))

import bench_sweep as sla_bench  # noqa: E402  (benchmarks/sla: fixtures, SQL loader)

NOW = sla_bench.NOW
GROUPS = 10
PG = sla_bench.PG


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=50, help="timed renders per page")
    p.add_argument("--replies", type=int, default=20,
                   help="replies and notes on the long-timeline ticket")
    p.add_argument("--data-dir", default="/tmp/tierdesk-bench-web",
                   help="SQLite: where the seeded database is kept (one per --tickets)")
    p.add_argument("--pg-name", default=os.environ.get("BENCH_PG_NAME", "tierdesk_web2"),
                   help="PostgreSQL: the database to seed and keep")
    p.add_argument("--fresh", action="store_true", help="drop the kept database and seed")
    p.add_argument("--statements", metavar="URL",
                   help="instead of timing pages, render URL once (as --who) and print each "
                        "SQL statement with its time; {long}, {short}, {group} are filled in")
    p.add_argument("--profile", metavar="URL",
                   help="instead of timing pages, render URL --runs times (as --who) under "
                        "cProfile and print the functions with the most cumulative time")
    p.add_argument("--who", choices=("agent", "manager"), default="agent")
    return p.parse_args(argv)


def use_database(args) -> Path:
    """Point the settings at the kept database; return its marker file."""
    data = Path(args.data_dir) / f"{args.db}-{args.tickets}"
    os.environ["TIERDESK_DATA_DIR"] = str(data)
    os.environ.setdefault("TIERDESK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    marker = data / "seeded.json"
    if args.fresh and marker.exists():
        marker.unlink()
    if args.db == "sqlite":
        os.environ.pop("TIERDESK_DATABASE_URL", None)
        if not marker.exists():
            for f in data.glob("tierdesk.sqlite3*"):
                f.unlink()
    else:
        os.environ["TIERDESK_DATABASE_URL"] = (
            f"postgres://postgres@127.0.0.1:5432/{args.pg_name}")
        if not marker.exists():
            subprocess.run(["dropdb", *PG, "--force", "--if-exists", args.pg_name], check=True)
            subprocess.run(["createdb", *PG, args.pg_name], check=True)
    data.mkdir(parents=True, exist_ok=True)
    return marker


def seed(n: int, replies: int) -> dict:
    """Return the ids the pages need: a group-scoped agent, the manager, two tickets."""
    from django.db import connection

    from tierdesk import clock
    from tierdesk.people import services as people
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Agent, Group, Role
    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.services import ticket_add_note, ticket_reply
    from tierdesk.workspace.services import saved_filter_create

    version, org, contact = sla_bench.seed_fixtures()
    sla_bench.seed_tickets_sql(n=n, n_due=n // 100, version=version, org=org, contact=contact,
                               batch=50_000)
    groups = [Group.objects.create(name=f"Queue {i}") for i in range(GROUPS)]
    table = connection.ops.quote_name(Ticket._meta.db_table)
    with connection.cursor() as cursor:
        for i, group in enumerate(groups):
            cursor.execute(f"UPDATE {table} SET group_id = %s WHERE id %% {GROUPS} = %s",
                           [group.pk, i])
    agent = people.agent_create(username="bench-agent", email="agent@bench.localhost",
                                name="Bench Agent", role=Role.AGENT, groups=[groups[0]])
    sla_bench.analyze()
    long_ticket, short_ticket = Ticket.objects.filter(group=groups[0]).order_by("id")[:2]
    clock.freeze(NOW)
    viewer = viewer_for(agent.user)
    for i in range(replies):
        ticket_reply(ticket=long_ticket, viewer=viewer, body=f"Reply {i}")
        ticket_add_note(ticket=long_ticket, viewer=viewer, body=f"Note {i}")
    for name, view in (("Overdue", "breached"), ("At risk", "soon"), ("Mine", "mine")):
        saved_filter_create(viewer=viewer, name=name, view=view, group=groups[0])
    manager = Agent.objects.get(user__username="bench-manager")
    return {"agent": agent.user_id, "manager": manager.user_id, "long": long_ticket.pk,
            "short": short_ticket.pk, "group": groups[0].pk, "n": n}


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)

    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)] * 1000

    return {"wall_p50": statistics.median(walls) * 1000, "wall_p95": p95(walls),
            "cpu_p50": statistics.median(cpus) * 1000, "cpu_p95": p95(cpus),
            "queries": len(captured.captured_queries)}


def statements(user, url: str) -> int:
    """Print every statement one render of ``url`` runs, with its time."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(2):
        client.get(url)
    times: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        status = client.get(url).status_code
        total = time.perf_counter() - started
    print(f"{url}: {status}, {total * 1000:.1f} ms, SQL {sum(t for t, _ in times) * 1000:.1f} ms"
          f" in {len(times)} statements; load {os.getloadavg()}")
    for spent, sql in times:
        print(f"{spent * 1000:8.1f} ms  {sql[:160]}")
    return 0


def profile(user, url: str, runs: int) -> int:
    """Print where ``runs`` renders of ``url`` spend their CPU (cProfile, cumulative)."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(2):
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    marker = use_database(args)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tierdesk import clock

    if marker.exists():
        ids = json.loads(marker.read_text())
        print(f"reusing the seeded database ({args.db}, {args.tickets} tickets)")
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # indexes added since
    else:
        started = time.perf_counter()
        ids = seed(args.tickets, args.replies)
        marker.write_text(json.dumps(ids))
        print(f"seeded {args.tickets} tickets in {time.perf_counter() - started:.0f} s "
              f"({args.db})")
    if args.db == "postgres":
        # As autovacuum would have by now: statistics, and the visibility map that lets
        # the board's counts read the open-load index without the table (index-only).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    clock.freeze(NOW)
    users = get_user_model().objects.in_bulk([ids["agent"], ids["manager"]])
    if args.statements:
        return statements(users[ids[args.who]], args.statements.format(**ids))
    if args.profile:
        return profile(users[ids[args.who]], args.profile.format(**ids), args.runs)
    print(f"load before: {os.getloadavg()}")
    print(f"{'who':<8}{'page':<34}{'wall p50':>10}{'wall p95':>10}{'cpu p50':>10}"
          f"{'cpu p95':>10}{'queries':>9}")
    pages = [
        ("agent", "queue: all open, by SLA due", "/agent/"),
        ("agent", "queue: breaching soon", "/agent/?view=soon"),
        ("agent", "queue: breached", "/agent/?view=breached"),
        ("agent", "queue: own group", f"/agent/queues/{ids['group']}/"),
        ("agent", f"ticket: {2 * args.replies}+ timeline entries",
         f"/agent/tickets/{ids['long']}/"),
        ("agent", "ticket: 2 timeline entries", f"/agent/tickets/{ids['short']}/"),
        ("manager", "queue: all open, by SLA due", "/agent/"),
        ("manager", "queue: breached", "/agent/?view=breached"),
        ("manager", "SLA board", "/agent/sla/"),
        ("manager", f"ticket: {2 * args.replies}+ timeline entries",
         f"/agent/tickets/{ids['long']}/"),
    ]
    clients = {}
    for who in ("agent", "manager"):
        clients[who] = Client()
        clients[who].force_login(users[ids[who]])
    for who, name, url in pages:
        r = measure(clients[who], url, args.runs)
        print(f"{who:<8}{name:<34}{r['wall_p50']:>8.1f}ms{r['wall_p95']:>8.1f}ms"
              f"{r['cpu_p50']:>8.1f}ms{r['cpu_p95']:>8.1f}ms{r['queries']:>9}", flush=True)
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
