"""Time one SLA breach sweep over N open tickets of which a fraction F are overdue.

    .venv/bin/python benchmarks/sla/bench_sweep.py --db postgres --open 1000000 --due-fraction 0.01
    .venv/bin/python benchmarks/sla/bench_sweep.py --db sqlite --open 100000 --due-fraction 0.1 \
        --template /tmp/sla-100k.sqlite3 --repeat 5

The scratch database is seeded once (not timed; with ``--template`` it is kept and reused
by later runs), then every timed run gets a fresh physical copy of it (``CREATE DATABASE
... TEMPLATE ... STRATEGY FILE_COPY`` on PostgreSQL, a file copy on SQLite), times one
``sla_sweep(now=...)`` with ``time.perf_counter`` plus a second, idle sweep, and drops the
copy. The method and the results are in ``benchmarks/sla/README.md``.
"""

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
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
                   help="timed runs, each on a fresh copy of the seeded database (default 1)")
    p.add_argument("--template", metavar="NAME_OR_PATH", default=None,
                   help="keep the seeded database under this name (PostgreSQL database name; "
                        "SQLite file path) and reuse it when it exists: seeding is skipped "
                        "if its size, due fraction, seed method and migrations match")
    p.add_argument("--explain", action="store_true",
                   help="afterwards, run one more sweep on a fresh copy and print the plan of "
                        "every statement it runs (PostgreSQL: auto_explain with ANALYZE, "
                        "BUFFERS, WAL; SQLite: EXPLAIN QUERY PLAN)")
    p.add_argument("--profile", action="store_true",
                   help="afterwards, run one more sweep on a fresh copy under cProfile")
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument("--keep", action="store_true",
                   help="keep the scratch copies (and a temporary seeded database)")
    p.add_argument("--no-fix-prototype", dest="fix_prototype", action="store_false",
                   help="ignored (the fix prototype of the first measurement is now in the code)")
    return p.parse_args(argv)


# --- scratch databases -------------------------------------------------------------------

def _psql(sql: str) -> str:
    out = subprocess.run(["psql", *PG, "-d", "postgres", "-X", "-Atqc", sql], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Databases:
    """The seeded source database and its per-run copies, for one kind of database."""

    def __init__(self, kind: str, template: str | None):
        self.kind = kind
        self.tmp = Path(tempfile.mkdtemp(prefix="tierdesk-bench-sla-"))
        self.temporary_source = template is None
        self.copies: list[str] = []
        if kind == "sqlite":
            self.source = str(Path(template).resolve()) if template else \
                str(self.tmp / "source.sqlite3")
        else:
            self.source = template or f"tierdesk_bench_sla_{os.getpid()}"
        os.environ["TIERDESK_DATA_DIR"] = str(self.tmp)
        os.environ.setdefault("TIERDESK_LOG_LEVEL", "WARNING")
        os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
        if kind == "sqlite":
            os.environ.pop("TIERDESK_DATABASE_URL", None)
        else:
            os.environ["TIERDESK_DATABASE_URL"] = \
                f"postgres://postgres@127.0.0.1:5432/{self.source}"

    # After django.setup():
    def use(self, name: str) -> None:
        from django.db import connections

        connections.close_all()
        connections["default"].settings_dict["NAME"] = name

    def source_exists(self) -> bool:
        if self.kind == "sqlite":
            return Path(self.source).exists()
        return _psql(f"SELECT 1 FROM pg_database WHERE datname = {_q(self.source)}") == "1"

    def create_source(self) -> None:
        if self.kind == "sqlite":
            Path(self.source).parent.mkdir(parents=True, exist_ok=True)
        else:
            subprocess.run(["createdb", *PG, self.source], check=True)
        self.use(self.source)

    def meta(self) -> dict | None:
        if self.kind == "sqlite":
            side = Path(self.source + ".json")
            return json.loads(side.read_text()) if side.exists() else None
        text = _psql("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                     f"WHERE datname = {_q(self.source)}")
        return json.loads(text) if text else None

    def set_meta(self, meta: dict) -> None:
        if self.kind == "sqlite":
            Path(self.source + ".json").write_text(json.dumps(meta))
        else:
            _psql(f'COMMENT ON DATABASE "{self.source}" IS {_q(json.dumps(meta))}')

    def fresh_copy(self) -> str:
        """A physical copy of the seeded source; the connection is pointed at it."""
        from django.db import connections

        connections.close_all()
        label = f"run{len(self.copies) + 1}"
        if self.kind == "sqlite":
            name = str(self.tmp / f"{label}.sqlite3")
            for suffix in ("", "-wal"):  # -wal is absent once the last connection closed
                if Path(self.source + suffix).exists():
                    shutil.copyfile(self.source + suffix, name + suffix)
                    # Flush the copy now: otherwise the sweep's first checkpoint fsync would
                    # wait for the whole copied file to reach the disk.
                    fd = os.open(name + suffix, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
        else:
            name = f"tierdesk_bench_sla_{os.getpid()}_{label}"
            # FILE_COPY checkpoints and copies the files: the copy starts with cold
            # shared_buffers, and every page's first change after it is a full-page write,
            # as on a server whose last checkpoint came after those rows were written.
            _psql(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}" STRATEGY FILE_COPY')
        self.copies.append(name)
        self.use(name)
        return name

    def drop(self, name: str) -> None:
        from django.db import connections

        connections.close_all()
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
        else:
            subprocess.run(["dropdb", *PG, "--force", "--if-exists", name], check=False)

    def cleanup(self, keep: bool) -> list[str]:
        """Drop the copies (and a temporary source) unless ``keep``; a template stays."""
        kept = []
        for name in self.copies:
            if keep:
                kept.append(name)
            else:
                self.drop(name)
        if not self.temporary_source or keep:
            kept.append(self.source)
        else:
            self.drop(self.source)
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return kept


# Kept for benchmarks/rules_sweep, which seeds one scratch database the same way.
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


def migrations_pending() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


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


class Phases:
    """Wall time spent in the sweep's parts: each function below that ``tierdesk.sla.sweep``
    has is wrapped (a few perf_counter calls per batch), plus COMMIT and every statement."""

    SWEEP_FUNCTIONS = (("_sweep_batch", "batches (total)"), ("_claim", "claim"),
                       ("_claim_and_record", "claim + events"),
                       ("_record_events", "events"), ("_has_actions", "decide actions"))

    def __init__(self) -> None:
        from django.db import connections

        from tierdesk.outbox import services as outbox
        from tierdesk.sla import sweep

        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        for attr, label in self.SWEEP_FUNCTIONS:
            self._wrap(sweep, attr, label)
        self._wrap(outbox, "enqueue", "queue actions")
        conn = connections["default"]
        self._wrap(conn, "commit", "commit")
        conn.execute_wrappers.append(self._statement)

    def _wrap(self, owner, attr: str, label: str) -> None:
        fn = getattr(owner, attr, None)
        if fn is None:
            return

        def wrapped(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        setattr(owner, attr, wrapped)

    def _statement(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds["statements"] += time.perf_counter() - t0
            self.calls["statements"] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def summary(self, total: float) -> str:
        parts = [f"{label} {1000 * s:.0f} ms ({self.calls[label]}x)"
                 for label, s in self.seconds.items()]
        outside = total - self.seconds.get("batches (total)", 0.0)
        return "; ".join([*parts, f"outside batches {1000 * outside:.0f} ms"])


def timed_sweep(batch: int | None, phases: Phases | None = None) -> tuple[float, int]:
    from tierdesk.packs.selectors import _parsed
    from tierdesk.sla.sweep import sla_sweep

    _parsed.cache_clear()  # every timed sweep parses the pack once, like a new process
    if phases:
        phases.reset()
    kwargs = {"now": NOW} if batch is None else {"now": NOW, "batch": batch}
    t0 = time.perf_counter()
    n = sla_sweep(**kwargs)
    return time.perf_counter() - t0, n


def explain_sweep(batch: int | None) -> str:
    """Run one sweep and return the plan of every statement it ran."""
    from django.db import connection

    from tierdesk.sla.sweep import sla_sweep

    plans: list[str] = []
    kwargs = {"now": NOW} if batch is None else {"now": NOW, "batch": batch}
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        raw = connection.connection
        raw.add_notice_handler(lambda diag: plans.append(diag.message_primary or ""))
        with connection.cursor() as cur:
            cur.execute("LOAD 'auto_explain'")
            for setting, value in (("log_min_duration", "0"), ("log_analyze", "on"),
                                   ("log_buffers", "on"), ("log_wal", "on"),
                                   ("log_triggers", "on"), ("log_level", "notice")):
                cur.execute(f"SET auto_explain.{setting} = {value}")
            cur.execute("SET track_wal_io_timing = on")
        wal_before = _pg_wal_stats()
        t0 = time.perf_counter()
        n = sla_sweep(**kwargs)
        seconds = time.perf_counter() - t0
        wal_after = _pg_wal_stats()
        wal = ", ".join(f"{k} {wal_after[k] - wal_before[k]:,.0f}" for k in wal_before)
        return (f"explained sweep: {n} clocks in {seconds:.3f} s (with EXPLAIN ANALYZE "
                f"overhead)\npg_stat_wal + pg_stat_bgwriter deltas (whole server): {wal}\n\n"
                + summarize_plans(plans))
    seen: set[str] = set()

    def plan(execute, sql, params, many, context):
        key = sql.split(" IN (")[0]
        if key not in seen and sql.lstrip().split()[0].upper() in ("SELECT", "UPDATE",
                                                                   "INSERT", "WITH"):
            seen.add(key)
            cursor = context["cursor"]
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
            plans.append(f"{sql[:300]}{' ...' if len(sql) > 300 else ''}\n" + "\n".join(
                f"  {'  ' * (1 if r[1] else 0)}{r[-1]}" for r in rows))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(plan):
        n = sla_sweep(**kwargs)
    return f"explained sweep: {n} clocks\n\n" + "\n\n".join(plans)


def _pg_wal_stats() -> dict[str, float]:
    from django.db import connection

    cols = ("wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "wal_write",
            "wal_sync", "wal_write_time", "wal_sync_time")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(cols)} FROM pg_stat_wal")
        wal = dict(zip(cols, cur.fetchone(), strict=True))
        cur.execute("SELECT buffers_backend, buffers_backend_fsync, buffers_checkpoint, "
                    "buffers_clean FROM pg_stat_bgwriter")
        wal.update(zip(("buffers_backend", "buffers_backend_fsync", "buffers_checkpoint",
                        "buffers_clean"), cur.fetchone(), strict=True))
    return {k: float(v) for k, v in wal.items()}


def summarize_plans(plans: list[str]) -> str:
    """auto_explain output, each distinct statement once (query text cut to 400 characters)
    with its count and the sums of its top node's time, buffers and WAL; statements run
    once per row (the foreign-key checks at COMMIT) are not printed thousands of times."""
    import re

    groups: dict[str, dict] = {}
    for text in plans:
        m = re.search(r"Query Text: (.*)", text)
        query = m.group(1) if m else text.splitlines()[0]
        key = re.sub(r"'[^']*'|\d+", "?", query)[:200]
        g = groups.setdefault(key, {"n": 0, "ms": 0.0, "nums": defaultdict(int),
                                    "first": text, "query": query})
        g["n"] += 1
        m = re.search(r"duration: ([\d.]+) ms", text)
        g["ms"] += float(m.group(1)) if m else 0.0
        for line in text.splitlines()[3:5]:  # the top node's Buffers: and WAL: lines
            for name, value in re.findall(r"(\w+)=(\d+)", line):
                g["nums"][name] += int(value)
    out = []
    for g in groups.values():
        sums = " ".join(f"{k}={v}" for k, v in g["nums"].items())
        head = (f"-- {g['n']}x, total {g['ms']:.1f} ms; top node sums: {sums}\n"
                if g["n"] > 1 else "")
        query = g["query"]
        first = g["first"].replace(query, query[:400] + (" ..." if len(query) > 400 else ""))
        out.append(head + first)
    return "\n\n".join(out)


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


def table_sizes() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relname LIKE 'sla\\_slatarget%%' OR c.relname LIKE 'sla\\_%%' "
            "OR c.relname IN ('tickets_ticket', 'tickets_ticketevent') "
            "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = "
            "'sla_slatarget'::regclass) ORDER BY pg_relation_size(c.oid) DESC")
        return ", ".join(f"{name} {size}" for name, size in cur.fetchall())


def source_digest() -> str:
    """Short hashes of the code under test (other changes land while benchmarks run)."""
    import hashlib

    files = ("sla/sweep.py", "sla/models.py", "tickets/models.py", "rules/actions.py",
             "outbox/services.py")
    return ", ".join(
        f"{f} {hashlib.sha256((REPO / 'tierdesk' / f).read_bytes()).hexdigest()[:10]}"
        for f in files)


def db_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = "PostgreSQL " + cur.fetchone()[0]
            cur.execute("SHOW shared_buffers")
            return f"{version} (shared_buffers {cur.fetchone()[0]})"
        cur.execute("SELECT sqlite_version()")
        return "SQLite " + cur.fetchone()[0]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare_source(dbs: Databases, args, n_due: int) -> str:
    """Seed the source database unless a matching template exists; return a note."""
    wanted = {"open": args.open, "due_fraction": args.due_fraction,
              "seed_method": args.seed_method}
    if dbs.source_exists():
        meta = dbs.meta()
        if meta is None or any(meta.get(k) != v for k, v in wanted.items()):
            raise SystemExit(f"{dbs.source} exists but was seeded with {meta}, not {wanted}; "
                             "drop it or pick another --template")
        dbs.use(dbs.source)
        pending = migrations_pending()
        if pending:
            raise SystemExit(f"{dbs.source} predates migrations {pending}: drop it "
                             "(dropdb / rm) and let this script seed it again")
        return (f"reused seeded database {dbs.source} (seeded {meta['seeded_at']}, "
                f"seed {meta['seed_s']:.0f} s)")
    dbs.create_source()
    version, org, contact = seed_fixtures()
    t0 = time.perf_counter()
    seed = seed_tickets_sql if args.seed_method == "sql" else seed_tickets_orm
    seed(n=args.open, n_due=n_due, version=version, org=org, contact=contact,
         batch=args.seed_batch or (100_000 if args.seed_method == "sql" else 5_000))
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyze()
    analyze_s = time.perf_counter() - t0
    dbs.use(dbs.source)  # close, so the copies can be made from it
    dbs.set_meta({**wanted, "seed_s": seed_s, "analyze_s": analyze_s,
                  "seeded_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")})
    return f"seeded {dbs.source} in {seed_s:.1f} s; ANALYZE {analyze_s:.1f} s"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.open < 1 or not 0 < args.due_fraction < 1 or args.repeat < 1:
        print("--open must be >= 1, 0 < --due-fraction < 1, --repeat >= 1", file=sys.stderr)
        return 2
    if math.gcd(P_DUE, args.open) != 1:
        print(f"--open must not be a multiple of {P_DUE}", file=sys.stderr)
        return 2
    n_due = max(1, round(args.open * args.due_fraction))
    dbs = Databases(args.db, args.template)
    try:
        import django

        django.setup()
        from django.conf import settings

        from tierdesk import clock
        from tierdesk.sla.sweep import BATCH

        # Outbox kicks would start the in-process delivery thread and compete with the
        # sweep; production's deliverer is a separate worker, so keep it out of the timing.
        settings.JOBS_INPROCESS = "off"
        clock.freeze(NOW)
        batch = args.sweep_batch or BATCH
        seed_note = prepare_source(dbs, args, n_due)
        # Import what the sweep imports on first use, as seeding in this process (or a
        # worker's earlier jobs) would have; each timed sweep still parses the pack once.
        from tierdesk.policy import load_pack

        load_pack(PACK.read_text())
        phases = Phases()
        runs = []
        ok = True
        for i in range(args.repeat):
            copy = dbs.fresh_copy()
            load_before = load()
            seconds, n = timed_sweep(args.sweep_batch, phases)
            phase_note = phases.summary(seconds)
            after = counts()
            idle_s, idle_n = timed_sweep(args.sweep_batch)
            sizes = table_sizes() if i == 0 else ""
            run_ok = (n == n_due and after["breached_events"] == n_due
                      and after["breached_clocks"] == n_due and after["warning_events"] == 0
                      and idle_n == 0)
            ok &= run_ok
            runs.append((seconds, n, after, idle_s, run_ok, load_before, phase_note))
            if not run_ok:
                print(f"MISMATCH in run {i + 1}: returned {n}, idle {idle_n}, expected "
                      f"{n_due}; {after}", file=sys.stderr)
            if not args.keep:
                dbs.drop(copy)
                dbs.copies.remove(copy)
        explained = profile = ""
        if args.explain:
            copy = dbs.fresh_copy()
            explained = explain_sweep(args.sweep_batch)
            if not args.keep:
                dbs.drop(copy)
                dbs.copies.remove(copy)
        if args.profile:
            copy = dbs.fresh_copy()
            profile = profile_sweep(args.sweep_batch, args.profile_top)
            version = db_version()
            if not args.keep:
                dbs.drop(copy)
                dbs.copies.remove(copy)
        else:
            dbs.use(dbs.source)
            version = db_version()

        times = [r[0] for r in runs]
        print(f"## SLA sweep: {args.db}, {args.open:,} open, {args.due_fraction:g} due\n")
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average now {load()}; "
              f"sources: {source_digest()}\n")
        print(f"{version}; Python {sys.version.split()[0]}; nproc {os.cpu_count()}; "
              f"sweep batch {batch}; {args.open:,} tickets + {2 * args.open:,} clocks: "
              f"{seed_note}\n")
        if sizes:
            print(f"sizes: {sizes}\n")
        print("| run | open tickets | due | sweep s | per due clock ms | returned | "
              "sla_breached events | outbox rows | idle sweep ms | load before | check |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for i, (seconds, n, after, idle_s, run_ok, load_before, _) in enumerate(runs, 1):
            print(f"| {i} | {args.open:,} | {n_due:,} | {seconds:.3f} | "
                  f"{1000 * seconds / n_due:.3f} | {n:,} | {after['breached_events']:,} | "
                  f"{after['outbox']:,} | {1000 * idle_s:.1f} | {load_before} | "
                  f"{'ok' if run_ok else 'MISMATCH'} |")
        print(f"\nbest {min(times):.3f} s, median {statistics.median(times):.3f} s over "
              f"{len(times)} run(s); idle best {1000 * min(r[3] for r in runs):.1f} ms, "
              f"median {1000 * statistics.median(r[3] for r in runs):.1f} ms\n")
        print("Phases (wall ms, per run):\n")
        for i, run in enumerate(runs, 1):
            print(f"* run {i}: {run[6]}")
        if explained:
            print(f"\n### Plans\n\n```\n{explained}\n```")
        if profile:
            print(f"\n### cProfile\n\n```\n{profile}```")
        return 0 if ok else 1
    finally:
        kept = dbs.cleanup(args.keep)
        if kept:
            print(f"kept: {', '.join(kept)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
