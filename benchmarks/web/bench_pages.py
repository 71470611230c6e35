"""Server time of the agent's queue page and ticket page with N tickets (issue 11).

    .venv/bin/python benchmarks/web/bench_pages.py --db sqlite --tickets 100000
    .venv/bin/python benchmarks/web/bench_pages.py --db postgres --tickets 100000

Seeds a scratch database with benchmarks/sla's loader (the DataFlow pack applied, N open
Enterprise P1 tickets, each with running first-response and resolution clocks, 1% of them
overdue), spreads the tickets over 10 queues, and signs in a *group-scoped* agent (one of
the 10 queues, so the scope filter runs). Then renders each page in-process through
Django's test client (middleware, session, templates: everything but the socket) and
prints wall and CPU time per page (p50/p95) with the SQL queries per page. Print `uptime`
next to any figure you keep: other jobs on the machine move wall-clock times.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sla"))

import bench_sweep as sla_bench  # noqa: E402  (benchmarks/sla: fixtures, SQL loader)

NOW = sla_bench.NOW
GROUPS = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=50, help="timed renders per page")
    p.add_argument("--replies", type=int, default=20,
                   help="replies and notes on the ticket page's ticket")
    return p.parse_args(argv)


def seed(n: int, replies: int):
    """Return (agent user, ticket id): a group-scoped agent and a ticket in its queue."""
    from django.db import connection

    from tierdesk import clock
    from tierdesk.people import services as people
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Group, Role
    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.services import ticket_add_note, ticket_reply

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
    ticket = Ticket.objects.filter(group=groups[0]).order_by("id").first()
    clock.freeze(NOW)
    viewer = viewer_for(agent.user)
    for i in range(replies):
        ticket_reply(ticket=ticket, viewer=viewer, body=f"Reply {i}")
        ticket_add_note(ticket=ticket, viewer=viewer, body=f"Note {i}")
    return agent.user, ticket.pk


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp, pg_name = sla_bench.scratch_database(args.db, label="web")
    try:
        import django

        django.setup()
        from django.test import Client

        started = time.perf_counter()
        user, ticket_id = seed(args.tickets, args.replies)
        print(f"seeded {args.tickets} tickets in {time.perf_counter() - started:.0f} s "
              f"({args.db})")
        client = Client()
        client.force_login(user)
        print(f"{'page':<28}{'wall p50':>10}{'wall p95':>10}{'cpu p50':>10}{'cpu p95':>10}"
              f"{'queries':>9}")
        for name, url in [("queue (all open, by due)", "/agent/"),
                          ("queue: breaching soon", "/agent/?view=soon"),
                          ("ticket page", f"/agent/tickets/{ticket_id}/")]:
            r = measure(client, url, args.runs)
            print(f"{name:<28}{r['wall_p50']:>8.1f}ms{r['wall_p95']:>8.1f}ms"
                  f"{r['cpu_p50']:>8.1f}ms{r['cpu_p95']:>8.1f}ms{r['queries']:>9}")
        print("load:", os.getloadavg())
    finally:
        sla_bench.drop_database(tmp, pg_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
