"""Time one SLA breach sweep over N open tickets of which a fraction F are overdue.

    .venv/bin/python benchmarks/sla/bench_sweep.py --db postgres --open 1000000 --due-fraction 0.01
    .venv/bin/python benchmarks/sla/bench_sweep.py --db sqlite --open 100000 --due-fraction 0.01

Each run gets a scratch database (a temp folder for SQLite; ``createdb`` on 127.0.0.1:5432
for PostgreSQL, dropped afterwards), seeds it with ``bulk_create`` (not timed), then times
one ``sla_sweep(now=...)`` with ``time.perf_counter`` and a second, idle sweep. The method
and the results are in ``benchmarks/sla/README.md``.
"""

import argparse
import cProfile
import io
import math
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "tierdesk" / "policy" / "packs" / "dataflow.yaml"
PG = ("-h", "127.0.0.1", "-p", "5432", "-U", "postgres")
# A Wednesday afternoon; every timestamp below is relative to it and the clock is frozen.
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
FIRST_RESPONSE_MIN, RESOLUTION_MIN = 240, 1440  # Enterprise P1: 4 h / 24 h
WARN_FRACTION = 0.25  # the pack's warn_before: 25%


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--open", type=int, default=1_000_000, help="open tickets (default 1M)")
    p.add_argument("--due-fraction", type=float, default=0.01,
                   help="fraction of tickets whose first_response is overdue (default 0.01)")
    p.add_argument("--seed-method", choices=("sql", "orm"), default="sql",
                   help="sql: INSERT ... SELECT generated in the database (default, fast); "
                        "orm: Model.objects.bulk_create (same rows, ~10x slower here)")
    p.add_argument("--seed-batch", type=int, default=None,
                   help="tickets per seeding transaction (sql 100,000; orm 5,000)")
    p.add_argument("--sweep-batch", type=int, default=None,
                   help="sla_sweep(batch=...) (default: the code's BATCH)")
    p.add_argument("--repeat", type=int, default=1,
                   help="time the due sweep this many times, un-breaching the clocks between "
                        "runs (default 1: the single sweep the brief asks for)")
    p.add_argument("--no-fix-prototype", dest="fix_prototype", action="store_false",
                   help="skip the extra sweep timed with the recommended fix monkeypatched in")
    p.add_argument("--profile", action="store_true",
                   help="afterwards, reset the clocks and run one more sweep under cProfile")
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument("--keep", action="store_true", help="keep the scratch database")
    return p.parse_args(argv)


# --- scratch database --------------------------------------------------------------------

def scratch_database(kind: str, label: str = "sla") -> tuple[Path, str | None]:
    """Point the settings at a new, empty database; return (temp dir, PostgreSQL name)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"tierdesk-bench-{label}-"))
    os.environ["TIERDESK_DATA_DIR"] = str(tmp)
    os.environ.setdefault("TIERDESK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    if kind == "sqlite":
        os.environ.pop("TIERDESK_DATABASE_URL", None)
        return tmp, None
    name = f"tierdesk_bench_{label}_{os.getpid()}"
    subprocess.run(["createdb", *PG, name], check=True)
    os.environ["TIERDESK_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    return tmp, name


def drop_database(tmp: Path, pg_name: str | None) -> None:
    from django.db import connections

    connections.close_all()
    if pg_name:
        subprocess.run(["dropdb", *PG, "--force", "--if-exists", pg_name], check=False)
    shutil.rmtree(tmp, ignore_errors=True)


# --- seeding (not timed) -----------------------------------------------------------------

def seed_fixtures():
    """Migrate, apply the dataflow pack, one org + contact + support manager."""
    from django.conf import settings
    from django.core.management import call_command

    from tierdesk.customers import services as customers
    from tierdesk.packs.services import pack_apply
    from tierdesk.people import services as people
    from tierdesk.people.models import Role

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    applied = pack_apply(source=PACK.read_text(), note="SLA sweep benchmark")
    people.agent_create(username="bench-manager", email="manager@bench.localhost",
                        name="Bench Manager", role=Role.SUPPORT_MANAGER)
    org = customers.organisation_create(viewer=None, name="Bench Org", external_id="bench-1",
                                        plan="Enterprise", country="US", timezone="UTC")
    contact = customers.contact_create(viewer=None, name="Bench Contact", organisation=org,
                                       email="contact@bench.example.com")
    return applied.version, org, contact


# Deterministic spread (the same rows whichever way they are loaded): ticket i (0-based)
# is due iff (i * P_DUE) % n < n_due, which picks exactly n_due tickets spread over the ids
# when P_DUE and n are coprime; the offsets below are fixed multiplicative hashes of i.
P_DUE = 7919
FR_WARN_S = int(FIRST_RESPONSE_MIN * 60 * WARN_FRACTION)
RES_WARN_S = int(RESOLUTION_MIN * 60 * WARN_FRACTION)


def created_offset(i: int) -> int:
    return 60 + (i * 7907) % (3 * 86400 - 60)  # created 1 min .. 3 days ago


def fr_due_offset(i: int, n: int, n_due: int) -> int:
    if (i * P_DUE) % n < n_due:  # overdue by 1 min .. 3 h (so also past its warning)
        return -(60 + (i * 104723) % (3 * 3600 - 60))
    return FR_WARN_S + 60 + (i * 104729) % (7 * 86400)  # warning 1 min .. 7 days ahead


def res_due_offset(i: int) -> int:
    return RES_WARN_S + 60 + (i * 15485863) % (30 * 86400)


def seed_tickets_orm(*, n: int, n_due: int, version, org, contact, batch: int) -> None:
    """bulk_create ``n`` open P1 tickets, each with a running first_response and
    resolution clock, in batches of ``batch`` tickets (one transaction per batch)."""
    from django.db import transaction

    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import Ticket

    fr_warn, res_warn = timedelta(seconds=FR_WARN_S), timedelta(seconds=RES_WARN_S)
    for start in range(0, n, batch):
        idx = range(start, min(start + batch, n))
        tickets = []
        for i in idx:
            created = NOW - timedelta(seconds=created_offset(i))
            tickets.append(Ticket(**TICKET_FIELDS, subject=f"{SUBJECT}{i}", requester=contact,
                                  organisation=org, sla_pack_version=version,
                                  created_at=created, updated_at=created))
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(tickets)
            clocks = []
            for i, t in zip(idx, tickets, strict=True):
                fr_due = NOW + timedelta(seconds=fr_due_offset(i, n, n_due))
                res_due = NOW + timedelta(seconds=res_due_offset(i))
                common = {"ticket_id": t.pk, "state": SlaTarget.State.RUNNING,
                          "policy": "Enterprise", "pack_version_id": version.pk,
                          "started_at": t.created_at, "resumed_at": t.created_at,
                          "elapsed_seconds": 0.0}
                clocks.append(SlaTarget(metric="first_response",
                                        target_minutes=FIRST_RESPONSE_MIN,
                                        due_at=fr_due, warn_at=fr_due - fr_warn, **common))
                clocks.append(SlaTarget(metric="resolution", target_minutes=RESOLUTION_MIN,
                                        due_at=res_due, warn_at=res_due - res_warn, **common))
            SlaTarget.objects.bulk_create(clocks)
        _progress(idx.stop, n)


SUBJECT = "Bench ticket "
TICKET_FIELDS = {"channel": "email", "priority": "P1", "status": "open",
                 "category": "data-sources", "error_code": "DS-1002",
                 "classified_by": "error_code DS-1002", "language": "en"}


def _progress(done: int, n: int) -> None:
    if done % 100_000 == 0 or done == n:
        print(f"  seeded {done:,} tickets", file=sys.stderr, flush=True)


def _insert_sql(model, exprs: dict[str, str], source: str, connection) -> tuple[str, list]:
    """INSERT INTO model (every concrete column) SELECT ... FROM source: columns named in
    ``exprs`` get that SQL expression, every other one its field default as a parameter
    (so a column another change adds does not break the loader; one with no default and
    NOT NULL is an error naming it)."""
    cols, sel, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        if f.attname in exprs:
            sel.append(exprs[f.attname])
            continue
        if not f.has_default() and not f.null and not f.blank:
            raise SystemExit(f"{model.__name__}.{f.name} needs a value in the SQL loader")
        value = f.get_default() if f.has_default() else (None if f.null else "")
        sel.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(sel)} {source}", params


def seed_tickets_sql(*, n: int, n_due: int, version, org, contact, batch: int) -> None:
    """The same rows as ``seed_tickets_orm``, generated inside the database with one
    ``INSERT ... SELECT`` per table and chunk (generate_series / a recursive CTE)."""
    from django.db import connection, transaction

    from tierdesk.sla.models import SlaTarget
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
    created = f"-(60 + (i * 7907) %% {3 * 86400 - 60})"
    fr = (f"CASE WHEN (i * {P_DUE}) %% {n} < {n_due} "
          f"THEN -(60 + (i * 104723) %% {3 * 3600 - 60}) "
          f"ELSE {FR_WARN_S} + 60 + (i * 104729) %% {7 * 86400} END")
    res = f"{RES_WARN_S} + 60 + (i * 15485863) %% {30 * 86400}"
    tcols = {k: lit(v) for k, v in TICKET_FIELDS.items()}
    tcols.update(subject=f"{lit(SUBJECT)} || i", requester_id=lit(contact.pk),
                 organisation_id=lit(org.pk), sla_pack_version_id=lit(version.pk))
    last_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        if pg:
            source = f"FROM generate_series({start}::bigint, {stop - 1}::bigint) AS g(i)"
        else:
            source = (f"FROM (WITH RECURSIVE g(i) AS (SELECT {start} UNION ALL "
                      f"SELECT i + 1 FROM g WHERE i < {stop - 1}) SELECT i FROM g)")
        exprs = {**tcols, "created_at": at(created), "updated_at": at(created)}
        sql, params = _insert_sql(Ticket, exprs, source, connection)
        sql_params = _ordered_params(Ticket, exprs, params, now)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, sql_params)
            i_expr = ("substr(t.subject, %d)::bigint" if pg
                      else "CAST(substr(t.subject, %d) AS INTEGER)") % (len(SUBJECT) + 1)
            src = (f"FROM (SELECT t.id, t.created_at, {i_expr} AS i FROM "
                   f"{Ticket._meta.db_table} t WHERE t.id > {int(last_id)}) AS s")
            for metric, minutes, due, warn_s in (
                    ("first_response", FIRST_RESPONSE_MIN, fr, FR_WARN_S),
                    ("resolution", RESOLUTION_MIN, res, RES_WARN_S)):
                cexprs = {"ticket_id": "s.id", "metric": lit(metric), "state": lit("running"),
                          "policy": lit("Enterprise"), "pack_version_id": lit(version.pk),
                          "target_minutes": lit(minutes), "elapsed_seconds": "0.0",
                          "resumed_at": "s.created_at", "started_at": "s.created_at",
                          "due_at": at(due), "warn_at": at(f"({due}) - {warn_s}")}
                sql, params = _insert_sql(SlaTarget, cexprs, src, connection)
                cur.execute(sql, _ordered_params(SlaTarget, cexprs, params, now))
            cur.execute(f"SELECT max(id) FROM {Ticket._meta.db_table}")
            last_id = cur.fetchone()[0]
        _progress(stop, n)


def _ordered_params(model, exprs: dict[str, str], defaults: list, now) -> list:
    """Interleave the ``now`` placeholders of expressions with the default parameters,
    in column order."""
    out, it = [], iter(defaults)
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in exprs:
            out += [now] * exprs[f.attname].count("%s")
        else:
            out.append(next(it))
    return out


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# --- measuring ---------------------------------------------------------------------------

def counts() -> dict[str, int]:
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import TicketEvent

    return {
        "breached_events": TicketEvent.objects.filter(type="sla_breached").count(),
        "warning_events": TicketEvent.objects.filter(type="sla_warning").count(),
        "breached_clocks": SlaTarget.objects.filter(breached_at__isnull=False).count(),
        "outbox": OutboxMessage.objects.count(),
    }


def timed_sweep(batch: int | None) -> tuple[float, int]:
    from tierdesk.sla.sweep import sla_sweep

    kwargs = {"now": NOW} if batch is None else {"now": NOW, "batch": batch}
    t0 = time.perf_counter()
    n = sla_sweep(**kwargs)
    return time.perf_counter() - t0, n


def reset_sweep_results() -> None:
    """Undo a sweep: un-breach the clocks, delete its events and outbox rows."""
    from django.db import connection, transaction

    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import TicketEvent

    with transaction.atomic():
        SlaTarget.objects.filter(breached_at__isnull=False).update(breached_at=None)
        SlaTarget.objects.filter(warned_at__isnull=False).update(warned_at=None)
        TicketEvent.objects.filter(type__in=("sla_breached", "sla_warning")).delete()
        OutboxMessage.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE sla_slatarget")
            cur.execute("VACUUM ANALYZE tickets_ticketevent")
            cur.execute("VACUUM ANALYZE outbox_outboxmessage")


def explain(kind: str, batch: int) -> str:
    """The plan of the sweep's own SELECT (built as ``_sweep_batch`` builds it)."""
    from django.db import connection, transaction

    from tierdesk.sla.sweep import _due

    class Rollback(Exception):
        pass

    lines: list[str] = []
    try:
        with transaction.atomic():  # FOR UPDATE needs a transaction; roll the locks back
            qs = _due(kind, NOW)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            qs = qs.select_related("ticket", "ticket__requester", "ticket__organisation")[:batch]
            sql, params = qs.query.get_compiler(connection=connection).as_sql()
            prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql"
                      else "EXPLAIN QUERY PLAN ")
            with connection.cursor() as cur:
                cur.execute(prefix + sql, params)
                rows = cur.fetchall()
            if connection.vendor == "postgresql":
                lines = [r[0] for r in rows]
            else:
                lines = [f"{'  ' * (1 if r[1] else 0)}{r[-1]}" for r in rows]
            raise Rollback
    except Rollback:
        pass
    return "\n".join(lines)


def apply_fix_prototype() -> None:
    """Monkeypatch, in this process only, the change recommended in README.md: resolve
    notify recipients once per sweep batch, and write a batch's outbox rows with one
    bulk_create and one on_commit kick instead of one INSERT + one hook per message."""
    from django.db import transaction

    from tierdesk.jobs.dispatch import kick
    from tierdesk.outbox import services as outbox
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.rules import actions
    from tierdesk.sla import sweep

    agents, sweep_batch = actions._agents, sweep._sweep_batch
    cache: dict = {}
    pending: list = []

    def cached_agents(pack, ticket, recipient, at):
        # role/tier/unit/on_call recipients depend on the pack and the instant, not the ticket
        key = (id(pack), recipient.model_dump_json(), at)
        if key not in cache:
            cache[key] = agents(pack, ticket, recipient, at)
        return cache[key]

    def enqueue(*, kind, payload, ticket_id=None, at=None):
        now = at or NOW
        message = OutboxMessage(kind=kind, payload=payload, ticket_id=ticket_id,
                                next_attempt_at=now, created_at=now)
        pending.append(message)
        return message

    def batched_sweep_batch(kind, now, batch):
        cache.clear()
        with transaction.atomic():
            done = sweep_batch(kind, now, batch)
            if pending:
                OutboxMessage.objects.bulk_create(pending, batch_size=1000)
                pending.clear()
                transaction.on_commit(lambda: kick("deliver_outbox"))
        return done

    actions._agents = cached_agents
    outbox.enqueue = enqueue
    sweep._sweep_batch = batched_sweep_batch


def profile_sweep(batch: int | None, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    seconds, n = timed_sweep(batch)
    prof.disable()
    out = io.StringIO()
    out.write(f"profiled sweep: {n} clocks in {seconds:.3f} s (with cProfile overhead)\n")
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def source_digest() -> str:
    """Short hashes of the code under test (other changes land while benchmarks run)."""
    import hashlib

    files = ("sla/sweep.py", "rules/actions.py", "outbox/services.py")
    return ", ".join(
        f"{f} {hashlib.sha256((REPO / 'tierdesk' / f).read_bytes()).hexdigest()[:10]}"
        for f in files)


def db_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            return "PostgreSQL " + cur.fetchone()[0]
        cur.execute("SELECT sqlite_version()")
        return "SQLite " + cur.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.open < 1 or not 0 < args.due_fraction < 1:
        print("--open must be >= 1 and 0 < --due-fraction < 1", file=sys.stderr)
        return 2
    tmp, pg_name = scratch_database(args.db)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from tierdesk import clock
        from tierdesk.sla.sweep import BATCH

        # Outbox kicks would start the in-process delivery thread and compete with the
        # sweep; production's deliverer is a separate worker, so keep it out of the timing.
        settings.JOBS_INPROCESS = "off"
        clock.freeze(NOW)
        batch = args.sweep_batch or BATCH
        n_due = max(1, round(args.open * args.due_fraction))
        if math.gcd(P_DUE, args.open) != 1:
            print(f"--open must not be a multiple of {P_DUE}", file=sys.stderr)
            return 2

        version, org, contact = seed_fixtures()
        t0 = time.perf_counter()
        seed = seed_tickets_sql if args.seed_method == "sql" else seed_tickets_orm
        seed(n=args.open, n_due=n_due, version=version, org=org, contact=contact,
             batch=args.seed_batch or (100_000 if args.seed_method == "sql" else 5_000))
        seed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        analyze()
        analyze_s = time.perf_counter() - t0

        plan_due = explain("breach", batch)
        connection.close()  # the timed sweep opens its own connection, as a job would
        due_times = []
        n = 0
        for i in range(args.repeat):
            if i:
                reset_sweep_results()
            seconds, n = timed_sweep(args.sweep_batch)
            due_times.append(seconds)
        after = counts()
        idle_s, idle_n = timed_sweep(args.sweep_batch)
        plan_idle = explain("breach", batch)
        plan_warn = explain("warning", batch)
        profile = ""
        if args.profile:
            reset_sweep_results()
            profile = profile_sweep(args.sweep_batch, args.profile_top)
        fixed = None
        if args.fix_prototype:
            reset_sweep_results()
            apply_fix_prototype()
            fix_s, fix_n = timed_sweep(args.sweep_batch)
            fixed = (fix_s, fix_n, counts())

        ok = (n == n_due and after["breached_events"] == n_due
              and after["breached_clocks"] == n_due and after["warning_events"] == 0
              and idle_n == 0)
        due_s = due_times[0]
        print(f"## SLA sweep: {args.db}, {args.open:,} open, {args.due_fraction:g} due\n")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"sources: {source_digest()}\n")
        print(f"{db_version()}; Python {sys.version.split()[0]}; nproc {os.cpu_count()}; "
              f"sweep batch {batch}; seeded {args.open:,} tickets + {2 * args.open:,} clocks "
              f"in {seed_s:.1f} s; ANALYZE {analyze_s:.1f} s\n")
        print("| db | open tickets | clocks | due | sweep s | per due clock ms | "
              "returned | sla_breached events | outbox rows | idle sweep ms | check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        print(f"| {args.db} | {args.open:,} | {2 * args.open:,} | {n_due:,} | {due_s:.3f} | "
              f"{1000 * due_s / n_due:.3f} | {n:,} | {after['breached_events']:,} | "
              f"{after['outbox']:,} | {1000 * idle_s:.1f} | {'ok' if ok else 'MISMATCH'} |")
        if fixed:
            fix_s, fix_n, c = fixed
            fix_ok = (fix_n == n_due and c["breached_events"] == n_due
                      and c["outbox"] == after["outbox"])
            print(f"| {args.db} + fix prototype | {args.open:,} | {2 * args.open:,} | "
                  f"{n_due:,} | {fix_s:.3f} | {1000 * fix_s / n_due:.3f} | {fix_n:,} | "
                  f"{c['breached_events']:,} | {c['outbox']:,} | | "
                  f"{'ok' if fix_ok else 'MISMATCH'} |")
        if args.repeat > 1:
            print(f"\nrepeats (s): {', '.join(f'{t:.3f}' for t in due_times)}; "
                  f"median {statistics.median(due_times):.3f}")
        print(f"\n### Plan of the breach select, before the sweep\n\n```\n{plan_due}\n```")
        print(f"\n### Plan of the breach select, idle\n\n```\n{plan_idle}\n```")
        print(f"\n### Plan of the warning select, idle\n\n```\n{plan_warn}\n```")
        if profile:
            print(f"\n### cProfile\n\n```\n{profile}```")
        if not ok:
            print(f"\nMISMATCH: returned {n}, idle {idle_n}, expected {n_due}; {after}",
                  file=sys.stderr)
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept: {pg_name or tmp}", file=sys.stderr)
        else:
            drop_database(tmp, pg_name)


if __name__ == "__main__":
    sys.exit(main())
