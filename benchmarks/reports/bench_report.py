"""Time the monthly report and the dashboard page over a year of history.

    .venv/bin/python benchmarks/reports/bench_report.py --db postgres --tickets 1000000
    .venv/bin/python benchmarks/reports/bench_report.py --db sqlite --tickets 100000
    .venv/bin/python benchmarks/reports/bench_report.py --db sqlite --reuse /tmp/rep-100k
    .venv/bin/python benchmarks/reports/bench_report.py --db postgres --reuse tierdesk_x_1m

``--reuse`` keeps the seeded database (a data directory for SQLite, a database name for
PostgreSQL) and, when it already holds tickets, migrates it and skips seeding, so a
million-ticket run seeds once and can be timed again after each change.

Seeds (not timed) the DataFlow pack, a support queue with an agent and a manager, and N
tickets spread over 2026 with ten audit events each (created, clocks set, customer and
agent replies, notes, status changes, an escalation for one ticket in twelve, a reopen
for one in twenty) and two SLA clocks (met, one in fifteen breached). Then times
``report()`` of every metric for June 2026 as a manager, and the dashboard page
(``/agent/reports/?period=2026-06``) through Django's test client as the manager and as
the agent (own figures), printing median / p95 and the SQL queries of each: the first
render of a page counts and stores its figures (reports.figure_cache), the renders after it
read them (a closed month until an event lands on its tickets; the running month, December
with the clock frozen on the 15th, for a minute).

At this size a page never counts (reports.counting): it is timed never counted (it says it
is counting and asks the ``reports_count`` job), stored, and stale (a late event on a June
ticket; December two minutes on), and the job's own count of the page is timed beside it.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sla"))

import bench_sweep as base  # noqa: E402

EVENTS_PER_TICKET = 10
YEAR_S = 365 * 86400


def seed(n: int, batch: int = 100_000) -> dict:
    from django.db import connection, transaction

    from tierdesk.customers.models import Contact
    from tierdesk.people import services as people
    from tierdesk.people.models import Agent, Group, Role, Tier
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import Ticket, TicketEvent

    version, org, contact = base.seed_fixtures()
    # a thousand requesters, so repeat contacts are as rare as on a real desk
    Contact.objects.bulk_create([Contact(name=f"Requester {k}", organisation=org,
                                         email=f"r{k}@bench.example.com") for k in range(999)])
    first_contact = contact.pk
    l1 = Tier.objects.get_or_create(code="L1", defaults={"name": "Support agents"})[0]
    support = Group.objects.create(name="Support", code="support", tier=l1)
    people.agent_create(username="bench-agent", email="agent@bench.localhost",
                        name="Bench Agent", role=Role.AGENT)
    agent = Agent.objects.get(user__username="bench-agent")
    agent.groups.add(support)
    agent.tier = l1
    agent.save()
    pg = connection.vendor == "postgresql"
    start = "2026-01-01 00:00:00+00" if pg else "2026-01-01 00:00:00"

    def at(seconds: str) -> str:
        if pg:
            return f"(%s::timestamptz + ({seconds}) * interval '1 second')"
        return f"datetime(%s, ({seconds}) || ' seconds')"

    created = f"((i * 7907) %% {YEAR_S})"
    last_id = 0
    for lo in range(0, n, batch):
        hi = min(lo + batch, n)
        if pg:
            source = f"FROM generate_series({lo}::bigint, {hi - 1}::bigint) AS g(i)"
        else:
            source = (f"FROM (WITH RECURSIVE g(i) AS (SELECT {lo} UNION ALL "
                      f"SELECT i + 1 FROM g WHERE i < {hi - 1}) SELECT i FROM g)")
        prio = "CASE i %% 4 WHEN 0 THEN 'P1' WHEN 1 THEN 'P2' WHEN 2 THEN 'P3' ELSE 'P2' END"
        exprs = {"subject": "'Bench ticket ' || i",
                 "requester_id": f"{first_contact} + i %% 1000",
                 "organisation_id": str(org.pk), "group_id": str(support.pk),
                 "assignee_id": f"CASE WHEN i %% 3 = 0 THEN {agent.pk} ELSE NULL END",
                 "channel": "CASE i %% 3 WHEN 0 THEN 'email' WHEN 1 THEN 'portal' "
                            "ELSE 'chat' END",
                 "priority": prio,
                 "status": "CASE WHEN i %% 10 = 0 THEN 'open' ELSE 'solved' END",
                 "category": "'general'", "error_code": "''", "language": "'en'",
                 "sla_pack_version_id": str(version.pk),
                 "created_at": at(created), "updated_at": at(created),
                 "first_responded_at": at(f"{created} + 1800 + (i %% 7200)"),
                 "solved_at": f"CASE WHEN i %% 10 = 0 THEN NULL ELSE "
                              f"{at(f'{created} + 7200 + (i %% 86400)')} END"}
        sql, params = base._insert_sql(Ticket, exprs, source, connection)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, base._ordered_params(Ticket, exprs, params, start))
            i_expr = ("substr(t.subject, 14)::bigint" if pg
                      else "CAST(substr(t.subject, 14) AS INTEGER)")
            tickets = (f"(SELECT t.id, t.created_at, {i_expr} AS i FROM tickets_ticket t "
                       f"WHERE t.id > {int(last_id)})")
            # ten events per ticket: k = 0..9 picks the type
            kinds = ("CASE k WHEN 0 THEN 'created' WHEN 1 THEN 'sla_targets_set' "
                     "WHEN 2 THEN 'replied' WHEN 3 THEN 'replied' WHEN 4 THEN 'note_added' "
                     "WHEN 5 THEN 'status_changed' WHEN 6 THEN 'assigned' "
                     "WHEN 7 THEN CASE WHEN s.i %% 12 = 0 THEN 'escalated' "
                     "ELSE 'field_changed' END "
                     "WHEN 8 THEN CASE WHEN s.i %% 20 = 0 THEN 'status_changed' "
                     "ELSE 'note_added' END "
                     "ELSE 'rule_fired' END")
            data = ("CASE k WHEN 2 THEN '{\"by\": \"customer\"}' "
                    "WHEN 3 THEN '{\"by\": \"agent\"}' "
                    "WHEN 5 THEN '{\"field\": \"status\", \"old\": \"open\", \"new\": \"solved\"}' "
                    "WHEN 8 THEN CASE WHEN s.i %% 20 = 0 THEN "
                    "'{\"field\": \"status\", \"old\": \"solved\", \"new\": \"open\"}' "
                    "ELSE '{}' END ELSE '{}' END")
            ks = ("generate_series(0, 9) AS k" if pg else
                  "(WITH RECURSIVE kk(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM kk "
                  "WHERE k < 9) SELECT k FROM kk) AS kk")
            ev_at = ("(s.created_at + k * interval '10 minutes')" if pg
                     else "datetime(s.created_at, (k * 10) || ' minutes')")
            eexprs = {"ticket_id": "s.id", "type": kinds,
                      "data": f"({data})" + ("::jsonb" if pg else ""),
                      "actor_id": "NULL", "created_at": ev_at}
            esql, eparams = base._insert_sql(TicketEvent, eexprs,
                                             f"FROM {tickets} AS s CROSS JOIN {ks} "
                                             "ORDER BY s.id, k", connection)
            cur.execute(esql, base._ordered_params(TicketEvent, eexprs, eparams, start))
            for metric, minutes in (("first_response", 1440), ("resolution", 4320)):
                breach = ("CASE WHEN s.i %% 15 = 0 THEN s.created_at ELSE NULL END")
                cexprs = {"ticket_id": "s.id", "metric": f"'{metric}'", "state": "'met'",
                          "policy": "'Professional'", "pack_version_id": str(version.pk),
                          "target_minutes": str(minutes),
                          "elapsed_seconds": "(1800 + s.i %% 7200) * 1.0",
                          "started_at": "s.created_at", "met_at": "s.created_at",
                          "breached_at": breach}
                csql, cparams = base._insert_sql(SlaTarget, cexprs, f"FROM {tickets} AS s",
                                                 connection)
                cur.execute(csql, base._ordered_params(SlaTarget, cexprs, cparams, start))
            cur.execute("SELECT max(id) FROM tickets_ticket")
            last_id = cur.fetchone()[0]
        base._progress(hi, n)
    settle()
    return {"manager": "bench-manager", "agent": "bench-agent"}


def reuse_database(kind: str, where: str) -> tuple[Path, str | None]:
    """Point the settings at a kept database, creating it when missing."""
    import os
    import subprocess

    os.environ.setdefault("TIERDESK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    if kind == "sqlite":
        data = Path(where).resolve()
        data.mkdir(parents=True, exist_ok=True)
        os.environ["TIERDESK_DATA_DIR"] = str(data)
        os.environ.pop("TIERDESK_DATABASE_URL", None)
        return data, None
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="tierdesk-bench-reports-"))
    os.environ["TIERDESK_DATA_DIR"] = str(tmp)
    exists = subprocess.run(["psql", *base.PG, "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{where}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["createdb", *base.PG, where], check=True)
    os.environ["TIERDESK_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{where}"
    return tmp, where


def seeded() -> bool:
    """A kept database that holds tickets: migrate it (new indexes) and skip seeding."""
    from django.core.management import call_command
    from django.db import connection

    if "tickets_ticket" not in connection.introspection.table_names():
        return False
    call_command("migrate", interactive=False, verbosity=0)
    from tierdesk.tickets.models import Ticket

    if not Ticket.objects.exists():
        return False
    settle()
    return True


def settle() -> None:
    """ANALYZE, and on PostgreSQL VACUUM too: autovacuum marks an insert-only log's pages
    all-visible on a live desk, which the index-only scan of report_events relies on."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) tickets_ticketevent")
    base.analyze()


def backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this connection has used (from /proc: the
    server runs on this machine), or None on SQLite, whose work is in this process."""
    from benchmarks.server_cpu import backend_pid, process_cpu

    pid = backend_pid()
    if pid is None:
        return None
    try:
        return process_cpu(pid)
    except OSError:
        return None


def timed(fn, repeat: int) -> tuple[list[float], int, list[float]]:
    """Wall milliseconds and CPU milliseconds of each run (this process's, plus the
    PostgreSQL backend's; parallel query workers are not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpus, queries = [], [], 0
    for _ in range(repeat):
        server0 = backend_cpu()
        with CaptureQueriesContext(connection) as ctx:
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
            cpu = time.process_time() - c0
        server1 = backend_cpu()
        if server0 is not None and server1 is not None:
            cpu += server1 - server0
        cpus.append(cpu * 1000)
        queries = len(ctx.captured_queries)
    return times, queries, cpus


def summary(label: str, times: list[float], queries: int, cpus: list[float]) -> str:
    def p95(xs: list[float]) -> float:
        return sorted(xs)[max(0, int(len(xs) * 0.95 + 0.5) - 1)]

    return (f"{label}: CPU median {statistics.median(cpus):.0f} ms, p95 {p95(cpus):.0f} ms; "
            f"wall (machine under load) median {statistics.median(times):.0f} ms, "
            f"p95 {p95(times):.0f} ms; {queries} queries, {len(times)} runs")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--reuse", metavar="DIR_OR_DB",
                   help="seed into this SQLite data directory or PostgreSQL database once, "
                        "keep it, and reuse it when it already holds tickets")
    p.add_argument("--per-metric", action="store_true", help="time each metric alone too")
    args = p.parse_args()
    if args.reuse:
        tmp, pg_name = reuse_database(args.db, args.reuse)
        args.keep = True
    else:
        tmp, pg_name = base.scratch_database(args.db, "reports")
    from datetime import UTC, datetime

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tierdesk import clock
    from tierdesk.reports.period import parse_period
    from tierdesk.reports.scope import Scope
    from tierdesk.reports.targets import report
    from tierdesk.tickets.models import Ticket, TicketEvent

    setup_test_environment()
    try:
        t0 = time.perf_counter()
        if args.reuse and seeded():
            users = {"manager": "bench-manager", "agent": "bench-agent"}
            verb = "reused"
        else:
            users = seed(args.tickets)
            verb = "seeded"
        print(f"{verb} {Ticket.objects.count():,} tickets, {TicketEvent.objects.count():,} "
              f"events in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        clock.freeze(datetime(2026, 12, 15, 12, 0, tzinfo=UTC))
        june = parse_period("2026-06", "UTC")
        print(summary("monthly report, every metric (manager)",
                      *timed(lambda: report(Scope(june)), args.repeat)))
        if args.per_metric:
            from tierdesk.reports.registry import METRICS

            for name in sorted(METRICS):
                times, q, cpus = timed(lambda name=name: METRICS[name].value(Scope(june)), 1)
                print(f"  {name}: {times[0]:.0f} ms wall, {cpus[0]:.0f} ms CPU, {q} queries")
        from django.conf import settings

        from tierdesk.jobs import registry
        from tierdesk.reports.counting import counts_inline
        from tierdesk.reports.models import ReportFigures
        from tierdesk.tickets.models import TicketEventType

        assert not counts_inline(), "a desk this small counts on the page: seed more tickets"
        settings.JOBS_INPROCESS = "off"  # the job runs when the benchmark says, timed apart
        pages: list[float] = []
        for who in ("manager", "agent"):
            client = Client()
            client.force_login(get_user_model().objects.get(username=users[who]))
            client.get("/agent/reports/?period=2025-01")  # templates loaded, not timed
            for label, path in (("closed June", "/agent/reports/?period=2026-06"),
                                ("running December", "/agent/reports/?period=2026-12")):
                def get(client=client, path=path, expect=None):
                    r = client.get(path)
                    assert r.status_code == 200, r.status_code
                    if expect is not None:
                        assert expect in r.content.decode(), expect

                def show(what: str, runs: int, expect: str | None = None, get=get,
                         label=label, who=who) -> None:
                    times, q, cpus = timed(lambda: get(expect=expect), runs)
                    pages.extend(times)
                    print(summary(f"dashboard, {label}, as the {who}: {what}", times, q, cpus))

                ReportFigures.objects.all().delete()
                clock.freeze(datetime(2026, 12, 15, 12, 0, tzinfo=UTC))
                show("never counted (the page says so, asks the job)", 1, "Counting the")
                show("never counted, asked again while the job has not run", 20, "Counting the")
                print(summary(f"  the job counting that page ({label}, {who}; in the "
                              "background)", *timed(lambda: registry.run("reports_count"), 1)))
                show("figures stored", max(args.repeat, 20), 'data-metric="sla_compliance"')
                if "June" in label:  # a late event on a June ticket: the month is stale
                    june_ticket = Ticket.objects.filter(
                        created_at__gte=june.start, created_at__lt=june.end).first()
                    TicketEvent.objects.create(ticket=june_ticket, type=TicketEventType.NOTE_ADDED,
                                               data={}, created_at=clock.now())
                else:  # two minutes on: the running month's figures are past their minute
                    clock.freeze(datetime(2026, 12, 15, 12, 2, tzinfo=UTC))
                show("figures stale (shown with their age, the job asked)",
                     max(args.repeat, 20), "Figures as of")
                registry.run("reports_count")
        print(f"every dashboard render above: p95 {sorted(pages)[int(len(pages) * 0.95)]:.0f} "
              f"ms wall, max {max(pages):.0f} ms, {len(pages)} renders")
    finally:
        if not args.keep:
            base.drop_database(tmp, pg_name)


if __name__ == "__main__":
    main()
