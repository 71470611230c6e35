"""Time one time-rule sweep over N open tickets of which a fraction F are due (issue 5).

    .venv/bin/python benchmarks/rules_sweep/bench_rules_sweep.py --db sqlite --open 100000
    .venv/bin/python benchmarks/rules_sweep/bench_rules_sweep.py --db postgres --open 1000000

Each run gets a scratch database (a temp folder for SQLite; ``createdb`` on 127.0.0.1:5432
for PostgreSQL, dropped afterwards), seeds it with ``INSERT ... SELECT`` (not timed; the
loader and fixtures come from ``benchmarks/sla/bench_sweep.py``), then times one
``rules_sweep(now=...)`` with ``time.perf_counter`` and then idle sweeps. Method and
results: ``benchmarks/rules_sweep/README.md``.
"""

import argparse
import cProfile
import hashlib
import io
import math
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sla"))

import bench_sweep as sla_bench  # noqa: E402  (benchmarks/sla: fixtures, SQL loader)

REPO = sla_bench.REPO
NOW = sla_bench.NOW  # Wednesday 2026-03-04 15:00 UTC; the clock is frozen there
RULE = "P1 to Engineering after 2h"
CREATED_AGO_S = 3 * 3600  # every ticket was created 3 h before NOW ...
DUE_AFTER_S = 2 * 3600  # ... so the due ones have rules_check_at = created + 2 h (NOW - 1 h)
P_DUE = sla_bench.P_DUE  # ticket i is due iff (i * P_DUE) % n < n_due (spread over the ids)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--open", type=int, default=1_000_000, help="open tickets (default 1M)")
    p.add_argument("--due-fraction", type=float, default=0.01,
                   help="fraction of tickets with rules_check_at in the past (default 0.01)")
    p.add_argument("--seed-batch", type=int, default=100_000,
                   help="tickets per INSERT ... SELECT transaction")
    p.add_argument("--sweep-batch", type=int, default=None,
                   help="rules_sweep(batch=...) (default: the function's default)")
    p.add_argument("--idle-repeat", type=int, default=20,
                   help="idle sweeps timed after the due sweep (median reported)")
    p.add_argument("--no-profile", dest="profile", action="store_false",
                   help="skip the extra due sweep under cProfile (reset in between)")
    p.add_argument("--profile-top", type=int, default=20)
    p.add_argument("--show-sql", type=int, default=0,
                   help="print the first N statements of the profiled sweep")
    p.add_argument("--keep", action="store_true", help="keep the scratch database")
    return p.parse_args(argv)


# --- seeding (not timed) -----------------------------------------------------------------

def seed_tickets_sql(*, n: int, n_due: int, version, org, contact, batch: int) -> None:
    """``n`` open P1 Enterprise tickets created 3 h before NOW; ticket i is due iff
    ``(i * P_DUE) % n < n_due`` (rules_check_at = created + 2 h), every other one has
    rules_check_at 1 min .. 7 days after NOW. One ``INSERT ... SELECT`` per chunk."""
    from django.db import connection, transaction

    from tierdesk.tickets.models import Ticket

    pg = connection.vendor == "postgresql"
    now = NOW if pg else NOW.replace(tzinfo=None).isoformat(sep=" ")

    def at(seconds: str) -> str:  # NOW + seconds, as the column type wants it
        if pg:
            return f"(%s::timestamptz + ({seconds}) * interval '1 second')"
        return f"datetime(%s, ({seconds}) || ' seconds')"

    def lit(value) -> str:
        if isinstance(value, int):
            return str(value)
        return "'" + str(value).replace("'", "''").replace("%", "%%") + "'"

    # "%%" is the modulo operator once the driver has substituted the parameters.
    check = (f"CASE WHEN (i * {P_DUE}) %% {n} < {n_due} THEN {DUE_AFTER_S - CREATED_AGO_S} "
             f"ELSE 60 + (i * 104729) %% {7 * 86400} END")
    exprs = {k: lit(v) for k, v in sla_bench.TICKET_FIELDS.items()}
    exprs.update(subject=f"{lit(sla_bench.SUBJECT)} || i", requester_id=lit(contact.pk),
                 organisation_id=lit(org.pk), sla_pack_version_id=lit(version.pk),
                 created_at=at(str(-CREATED_AGO_S)), updated_at=at(str(-CREATED_AGO_S)),
                 rules_check_at=at(check))
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        if pg:
            source = f"FROM generate_series({start}::bigint, {stop - 1}::bigint) AS g(i)"
        else:
            source = (f"FROM (WITH RECURSIVE g(i) AS (SELECT {start} UNION ALL "
                      f"SELECT i + 1 FROM g WHERE i < {stop - 1}) SELECT i FROM g)")
        sql, params = sla_bench._insert_sql(Ticket, exprs, source, connection)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, sla_bench._ordered_params(Ticket, exprs, params, now))
        sla_bench._progress(stop, n)


# --- measuring ---------------------------------------------------------------------------

def sweep_kwargs(batch: int | None) -> dict:
    return {"now": NOW} if batch is None else {"now": NOW, "batch": batch}


def timed_sweep(batch: int | None) -> tuple[float, float, int]:
    """(wall s, this process's CPU s, returned) of one rules_sweep."""
    from tierdesk.rules.engine import rules_sweep

    c0, t0 = time.process_time(), time.perf_counter()
    n = rules_sweep(**sweep_kwargs(batch))
    return time.perf_counter() - t0, time.process_time() - c0, n


def claim_select(batch: int):
    """The sweep's select, built as ``rules_sweep`` builds it."""
    from tierdesk.tickets.models import Ticket

    return (Ticket.objects.filter(rules_check_at__lte=NOW).order_by("rules_check_at")
            .values_list("id", "rules_check_at")[:batch])


def explain(batch: int) -> str:
    from django.db import connection

    sql, params = claim_select(batch).query.get_compiler(connection=connection).as_sql()
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute(("EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN ") + sql,
                    params)
        rows = cur.fetchall()
    if pg:
        return "\n".join(r[0] for r in rows)
    return "\n".join(f"{'  ' * (1 if r[1] else 0)}{r[-1]}" for r in rows)


def watermarks() -> dict:
    """max(pk) of every table with an integer key, except tickets (to undo a sweep)."""
    from django.apps import apps
    from django.db.models import AutoField, BigAutoField, Max, SmallAutoField

    from tierdesk.tickets.models import Ticket

    out = {}
    for model in apps.get_models():
        if model is Ticket or model._meta.proxy or not model._meta.managed:
            continue
        if isinstance(model._meta.pk, AutoField | BigAutoField | SmallAutoField):
            out[model] = model.objects.aggregate(m=Max("pk"))["m"] or 0
    return out


def rows_added(marks: dict) -> dict[str, int]:
    out = {}
    for model, mark in marks.items():
        added = model.objects.filter(pk__gt=mark).count()
        if added:
            out[model._meta.label] = added
    return out


def verify(due_ids: list[int], n: int, returned: int, version) -> tuple[bool, dict]:
    """Each due ticket: exactly one rule_fired for RULE, tier ENG, nothing left due; the
    others untouched (still due in the future, no events)."""
    from django.db.models import Count

    from tierdesk.tickets.models import Ticket, TicketEvent

    fired = (TicketEvent.objects.filter(type="rule_fired", data__rule=RULE)
             .values("ticket_id").annotate(c=Count("id")))
    per_ticket = {r["ticket_id"]: r["c"] for r in fired}
    other_fired = TicketEvent.objects.filter(type="rule_fired").exclude(data__rule=RULE).count()
    eng = set(Ticket.objects.filter(tier__code="ENG").values_list("id", flat=True))
    facts = {
        "returned": returned,
        "due": len(due_ids),
        "tickets with rule_fired": len(per_ticket),
        "tickets with != 1 rule_fired": sum(1 for c in per_ticket.values() if c != 1),
        "rule_fired of other rules": other_fired,
        "due tickets not fired": len(set(due_ids) - set(per_ticket)),
        "tier ENG": len(eng),
        "due tickets not ENG": len(set(due_ids) - eng),
        "still due": Ticket.objects.filter(rules_check_at__lte=NOW).count(),
        "future rules_check_at": Ticket.objects.filter(rules_check_at__gt=NOW).count(),
    }
    ok = (returned == len(due_ids) == len(per_ticket) == len(eng)
          and facts["tickets with != 1 rule_fired"] == 0 and other_fired == 0
          and facts["due tickets not fired"] == 0 and facts["due tickets not ENG"] == 0
          and facts["still due"] == 0 and facts["future rules_check_at"] == n - len(due_ids))
    return ok, facts


def reset_sweep(marks: dict, due_ids: list[int], version) -> None:
    """Undo a sweep: delete every row it added, put the due tickets back as seeded."""
    from django.db import connection, transaction

    from tierdesk.tickets.models import Ticket

    created = NOW - timedelta(seconds=CREATED_AGO_S)
    with transaction.atomic():
        for model, mark in marks.items():
            model.objects.filter(pk__gt=mark).delete()
        for start in range(0, len(due_ids), 5_000):
            Ticket.objects.filter(pk__in=due_ids[start:start + 5_000]).update(
                tier=None, group=None, assignee=None, updated_at=created, tags=[],
                sla_pack_version=version,
                rules_check_at=created + timedelta(seconds=DUE_AFTER_S))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")


class QueryCounter:
    """``connection.execute_wrapper`` counting statements by their first word."""

    def __init__(self, keep: int = 0) -> None:
        self.counts: dict[str, int] = {}
        self.keep = keep
        self.sql: list[str] = []
        self.seconds: dict[str, float] = {}  # wall time by statement shape (its first words)

    def __call__(self, execute, sql, params, many, context):
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.counts[word] = self.counts.get(word, 0) + 1
        if len(self.sql) < self.keep:
            self.sql.append(sql[:300])
        shape = " ".join(sql.split()[:4])[:90]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[shape] = self.seconds.get(shape, 0.0) + time.perf_counter() - t0


def profile_sweep(batch: int | None, top: int,
                  show_sql: int) -> tuple[str, int, dict[str, int]]:
    from django.db import connection

    from tierdesk.rules.engine import rules_sweep

    counter = QueryCounter(show_sql)
    prof = cProfile.Profile()
    with connection.execute_wrapper(counter):
        t0 = time.perf_counter()
        prof.enable()
        n = rules_sweep(**sweep_kwargs(batch))
        prof.disable()
        seconds = time.perf_counter() - t0
    out = io.StringIO()
    out.write(f"profiled sweep: {n} tickets in {seconds:.3f} s (with cProfile overhead)\n")
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    out.write("database wall time by statement shape (profiled sweep):\n")
    out.writelines(f"  {sec * 1000:9.1f} ms  {shape}\n" for shape, sec in
                   sorted(counter.seconds.items(), key=lambda kv: -kv[1])[:12])
    if counter.sql:
        out.write(f"first {len(counter.sql)} statements of the profiled sweep:\n")
        out.writelines(f"  {i + 1:3d} {q}\n" for i, q in enumerate(counter.sql))
    return out.getvalue(), n, counter.counts


def source_digest() -> str:
    """Short hashes of the code under test (other changes land while benchmarks run)."""
    files = ("rules/engine.py", "rules/actions.py", "rules/facts.py",
             "escalation/services.py", "tickets/services.py", "sla/services.py",
             "outbox/services.py")
    return ", ".join(
        f"{f} {hashlib.sha256((REPO / 'tierdesk' / f).read_bytes()).hexdigest()[:10]}"
        for f in files)


def staff_engineering() -> None:
    """An engineer holding the ENG tier in its queue, as on the demo: an escalation to a
    queue nobody works is refused, and the benchmark must time the escalation itself."""
    from django.db.models import Q

    from tierdesk.people import services as people
    from tierdesk.people.models import Group, Role, Tier

    eng = Tier.objects.get(code="ENG")
    queue = (Group.objects.filter(Q(code="ENG") | Q(tier=eng)).first()
             or Group.objects.create(name="Engineering", code="ENG", tier=eng))
    people.agent_create(username="bench-engineer", email="engineer@bench.localhost",
                        name="Bench Engineer", role=Role.ENGINEER, tier=eng, groups=[queue])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.open < 1 or not 0 < args.due_fraction < 1:
        print("--open must be >= 1 and 0 < --due-fraction < 1", file=sys.stderr)
        return 2
    if math.gcd(P_DUE, args.open) != 1:
        print(f"--open must not be a multiple of {P_DUE}", file=sys.stderr)
        return 2
    sources = source_digest()  # before any import: other changes land while this runs
    tmp, pg_name = sla_bench.scratch_database(args.db, label="rules")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from tierdesk import clock
        from tierdesk.tickets.models import Ticket

        # Outbox kicks would start the in-process delivery thread inside the timing;
        # production's deliverer is a separate worker.
        settings.JOBS_INPROCESS = "off"
        clock.freeze(NOW)
        n_due = max(1, round(args.open * args.due_fraction))
        plan_batch = args.sweep_batch or 500

        version, org, contact = sla_bench.seed_fixtures()
        staff_engineering()
        t0 = time.perf_counter()
        seed_tickets_sql(n=args.open, n_due=n_due, version=version, org=org, contact=contact,
                         batch=args.seed_batch)
        seed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        sla_bench.analyze()
        analyze_s = time.perf_counter() - t0

        due_ids = list(Ticket.objects.filter(rules_check_at__lte=NOW)
                       .order_by("id").values_list("id", flat=True))
        plan_due = explain(plan_batch)
        marks = watermarks()
        connection.close()  # the timed sweep opens its own connection, as a job would

        due_s, due_cpu, n = timed_sweep(args.sweep_batch)
        ok, facts = verify(due_ids, args.open, n, version)
        added = rows_added(marks)
        idle = []
        idle_n = 0
        for _ in range(args.idle_repeat):
            seconds, _cpu, got = timed_sweep(args.sweep_batch)
            idle.append(seconds)
            idle_n = max(idle_n, got)
        ok = ok and idle_n == 0
        plan_idle = explain(plan_batch)

        profile, prof_n, queries = "", 0, {}
        if args.profile:
            reset_sweep(marks, due_ids, version)
            connection.close()
            profile, prof_n, queries = profile_sweep(args.sweep_batch, args.profile_top,
                                                    args.show_sql)
            prof_ok, _ = verify(due_ids, args.open, prof_n, version)
            ok = ok and prof_ok

        print(f"## Time-rule sweep: {args.db}, {args.open:,} open, "
              f"{args.due_fraction:g} due\n")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"sources at start: {sources}\n")
        print(f"{sla_bench.db_version()}; Python {sys.version.split()[0]}; "
              f"nproc {os.cpu_count()}; sweep batch {plan_batch}; seeded {args.open:,} "
              f"tickets in {seed_s:.1f} s; ANALYZE {analyze_s:.1f} s\n")
        print("| db | open tickets | due | sweep s | ms / due ticket | CPU s (client) | "
              "returned | idle sweep ms (median of {k}, min) | check |"
              .replace("{k}", str(args.idle_repeat)))
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        print(f"| {args.db} | {args.open:,} | {n_due:,} | "
              f"{due_s:.2f} | {1000 * due_s / n_due:.2f} | {due_cpu:.2f} | {n:,} | "
              f"{1000 * statistics.median(idle):.2f}, {1000 * min(idle):.2f} | "
              f"{'ok' if ok else 'MISMATCH'} |")
        if facts:
            print("\nchecks: " + "; ".join(f"{k} {v:,}" for k, v in facts.items()))
        if added:
            print("\nrows written by the due sweep: "
                  + "; ".join(f"{k} {v:,} ({v / n_due:.1f}/ticket)"
                              for k, v in sorted(added.items())))
        if queries:
            total = sum(queries.values())
            print(f"\nstatements in the profiled sweep: {total:,} ({total / n_due:.1f} per "
                  "due ticket): " + ", ".join(f"{k} {v:,}" for k, v in
                                              sorted(queries.items(), key=lambda x: -x[1])))
        print(f"\n### Plan of the claim select, before the sweep\n\n```\n{plan_due}\n```")
        print(f"\n### Plan of the claim select, idle\n\n```\n{plan_idle}\n```")
        if profile:
            print(f"\n### cProfile of the due sweep\n\n```\n{profile}```")
        if not ok:
            print(f"\nMISMATCH: idle returned {idle_n}; {facts}", file=sys.stderr)
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept: {pg_name or tmp}", file=sys.stderr)
        else:
            sla_bench.drop_database(tmp, pg_name)


if __name__ == "__main__":
    sys.exit(main())
