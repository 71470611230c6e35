"""Full-text ticket search at scale: `GET /api/v1/tickets?q=` in-process, as a group-scoped
L1 agent, a manager and a customer, with the DataFlow pack applied (issue 10, item 4).

    .venv/bin/python benchmarks/search/bench_search.py --db sqlite --tickets 100000
    .venv/bin/python benchmarks/search/bench_search.py --db postgres --tickets 1000000 --keep

Steps (see README.md): a fresh instance (temp data folder, or a scratch PostgreSQL
database); migrate and load the demo (DataFlow pack, orgs on every plan, four groups,
agents with tiers); bulk-load tickets with three messages each by plain SQL; build the
index with the real rebuild (`search.services.rebuild`, timed); then time searches through
the whole API stack (middleware, token auth, selector, serialisation) with Django's test
client, sequentially, reporting p50/p90/p99, CPU and queries per request.
``--keep`` leaves the instance in place and ``--reuse DIR_OR_DB`` measures it again.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
COPY_BATCH = 20_000
MESSAGES_PER_TICKET = 3
RARE_SHARE = 50  # each rare word is in about this many tickets
COMMON_EVERY = 10  # "dashboard" is in one ticket in ten
GROUPS = (("Support", 40), ("Engineering", 20), ("DevOps", 20), ("Product", 15), (None, 5))
STATUSES = (("new", 10), ("open", 30), ("pending", 15), ("on_hold", 5), ("solved", 20),
            ("closed", 20))
SUPPORT_TEXT = (
    "login error page report user account export data sync slow failed cannot access "
    "update billing invoice payment refund password reset email notification chart "
    "widget filter query timeout connection server integration token key upload file "
    "download permission role team workspace project api request response limit quota "
    "browser mobile android ios app crash blank screen loading spinner button form field "
    "value missing wrong number date time zone schedule job pipeline source database "
    "table column row import csv excel pdf print share link invite member admin owner "
    "plan upgrade downgrade trial license seat contract renewal support ticket agent "
    "please help urgent asap thanks hello regards since yesterday today morning still "
    "again every always never sometimes after before during when customer client"
)
SUPPORT_WORDS = SUPPORT_TEXT.split()
SPANISH = ["sesión", "facturación", "contraseña", "configuración", "conexión"]
FRENCH = ["réinitialisé", "télécharger", "paramètres", "accès", "sécurité", "problème"]
ARABIC = ["الحساب", "الدخول", "كلمة", "المرور", "الفاتورة", "التقرير", "لوحة", "مشكلة", "إلى"]
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "dor",
             "fen", "gal", "hob", "jur", "wex", "yal", "bri", "cto")
COMMON_WORD = "dashboard"


def pseudo(n: int, syllables: int) -> str:
    out = []
    for _ in range(syllables):
        n, r = divmod(n, len(SYLLABLES))
        out.append(SYLLABLES[r])
    return "".join(out)


def rare_word(n: int) -> str:
    return "x" + pseudo(n, 4)


# --- instance ---------------------------------------------------------------------------


def configure(args: argparse.Namespace) -> dict:
    """Point this process at a fresh (or reused) instance before Django starts."""
    for key in [k for k in os.environ if k.startswith("TIERDESK_")]:
        del os.environ[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    os.environ["TIERDESK_LOG_LEVEL"] = "WARNING"
    place = {"fresh": args.reuse is None}
    if args.db == "sqlite":
        data = Path(args.reuse) if args.reuse else Path(
            tempfile.mkdtemp(prefix="tierdesk-bench-search-"))
        os.environ["TIERDESK_DATA_DIR"] = str(data)
        place["data_dir"] = str(data)
    else:
        name = args.reuse or f"tierdesk_bench_search_{uuid.uuid4().hex[:8]}"
        if args.reuse is None:
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        os.environ["TIERDESK_DATABASE_URL"] = PG_URL.format(name=name)
        os.environ["TIERDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="tierdesk-bench-search-")
        place["pg_name"] = name
        place["scratch"] = os.environ["TIERDESK_DATA_DIR"]
    import django

    django.setup()
    return place


def teardown(place: dict) -> None:
    from django.db import connections

    connections.close_all()
    if "pg_name" in place:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                        "--force", place["pg_name"]], check=False)
    if "data_dir" in place:
        shutil.rmtree(place["data_dir"], ignore_errors=True)


def scratch_cleanup(place: dict) -> None:
    """The PostgreSQL run's data folder (static files, no database) is never kept."""
    if "scratch" in place:
        shutil.rmtree(place["scratch"], ignore_errors=True)


# --- seed ---------------------------------------------------------------------------------


def seed(tickets: int, rng: random.Random) -> dict:
    """Migrate, load the demo (pack, people, orgs) and bulk-load ``tickets`` tickets."""
    from django.conf import settings
    from django.core.management import call_command

    from tierdesk.demo import load_demo

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    started = time.monotonic()
    bulk_load(tickets, rng)
    return {"bulk_seconds": round(time.monotonic() - started, 1)}


def _fixtures():
    from tierdesk.customers.models import Contact
    from tierdesk.demo import QUEUES
    from tierdesk.people.models import Agent, Group

    # the demo's queue names; the pack may have made a queue under its own name (by code)
    by_code = {g.code: g.pk for g in Group.objects.all()}
    groups = {g.name: g.pk for g in Group.objects.all()}
    groups.update({name: by_code[code] for name, (code, _) in QUEUES.items() if code in by_code})
    members: dict[int, list[int]] = {}
    for agent in Agent.objects.prefetch_related("groups"):
        for group in agent.groups.all():
            members.setdefault(group.pk, []).append(agent.pk)
    contacts = list(Contact.objects.values_list("id", "organisation_id", "user_id"))
    return groups, members, contacts


def _text(rng: random.Random, words: list[str], weights: list[float], k: int) -> list[str]:
    return rng.choices(words, cum_weights=weights, k=k)


def bulk_load(count: int, rng: random.Random) -> None:
    """Tickets and their messages by plain multi-row SQL (COPY on PostgreSQL), bypassing
    the services: this is set-up, not what is measured. The index is built afterwards by
    the real rebuild."""
    from django.db import connection, transaction

    from tierdesk.tickets.models import Message, Ticket

    groups, members, contacts = _fixtures()
    vocab = SUPPORT_WORDS + [pseudo(i, 2) for i in range(400)]
    cum, total = [], 0.0
    for rank in range(len(vocab)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    pool = max(count // RARE_SHARE, 1)
    group_names = [g for g, _ in GROUPS]
    group_weights = [w for _, w in GROUPS]
    status_names = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    codes = ["DS-1001", "DB-2002", "DB-2003", "API-4004", "SSO-9001", "MOB-6006", ""]
    t_fields = [f for f in Ticket._meta.local_concrete_fields if f.name != "id"]
    m_fields = [f for f in Message._meta.local_concrete_fields if f.name != "id"]
    sqlite = connection.vendor == "sqlite"
    start = datetime(2025, 12, 1, tzinfo=UTC)
    step = timedelta(days=365) / max(count, 1)

    def stamp(at: datetime):
        return at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Ticket._meta.db_table}")
        first_id = cursor.fetchone()[0] + 1
    done = 0
    while done < count:
        n = min(COPY_BATCH, count - done)
        t_rows, m_rows = [], []
        for i in range(done, done + n):
            pk = first_id + i
            contact_id, org_id, _ = contacts[i % len(contacts)]
            group_name = rng.choices(group_names, group_weights)[0]
            group_id = groups[group_name] if group_name else None
            status = rng.choices(status_names, status_weights)[0]
            assignee = (rng.choice(members[group_id]) if group_id and status != "new"
                        and members.get(group_id) else None)
            at = start + step * i
            language = "en"
            extra: list[str] = []
            if i % 20 == 1:
                language, extra = "es", rng.sample(SPANISH, 2)
            elif i % 20 == 2:
                language, extra = "fr", rng.sample(FRENCH, 2)
            elif i % 20 == 3:
                language, extra = "ar", rng.sample(ARABIC, 3)
            code = rng.choice(codes)
            common = rng.randrange(COMMON_EVERY) == 0
            values = {
                "subject": " ".join(_text(rng, vocab, cum, 5) + extra[:1]),
                "requester_id": contact_id, "organisation_id": org_id, "channel": "email",
                "priority": rng.choice(("P1", "P2", "P3", "P4")), "status": status,
                "tier_id": None, "group_id": group_id, "assignee_id": assignee,
                "category": "", "error_code": code, "language": language,
                "tags": json.dumps([rng.choice(("billing", "sso", "mobile", "api"))]),
                "custom_fields": "{}", "created_by_id": None, "classified_by": "",
                "sla_pack_version_id": None,
                "rules_check_at": None, "merged_into_id": None, "created_at": stamp(at),
                "updated_at": stamp(at), "first_responded_at": None,
                "solved_at": stamp(at) if status in ("solved", "closed") else None,
                "closed_at": stamp(at) if status == "closed" else None,
            }
            t_rows.append([values[f.attname] for f in t_fields])
            special = rng.randrange(MESSAGES_PER_TICKET)
            for m in range(MESSAGES_PER_TICKET):
                words = _text(rng, vocab, cum, rng.randint(12, 24)) + extra
                if m == special:
                    words.append(rare_word((i * 7919) % pool))
                    if common:
                        words.append(COMMON_WORD)
                if m == 0 and code:
                    words.append(code)
                rng.shuffle(words)
                kind = "note" if m == 2 and i % 3 == 0 else "reply"
                body = " ".join(words)
                mvalues = {"ticket_id": pk, "kind": kind, "author_id": None,
                           "body_text": body, "body_html": "", "channel": "email",
                           "external_id": None, "created_at": stamp(at)}
                m_rows.append([mvalues[f.attname] for f in m_fields])
        with transaction.atomic():
            _insert(Ticket, t_fields, t_rows, with_ids=first_id + done)
            _insert(Message, m_fields, m_rows)
        done += n
        if done % 100_000 == 0 or done == count:
            print(f"  seeded {done} tickets", flush=True)
    with connection.cursor() as cursor:
        if not sqlite:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Ticket._meta.db_table}',"
                           f" 'id'), (SELECT MAX(id) FROM {Ticket._meta.db_table}))")
        cursor.execute("ANALYZE")


def _insert(model, fields, rows, with_ids: int | None = None) -> None:
    from django.db import connection

    columns = [f.column for f in fields]
    if with_ids is not None:
        columns = ["id", *columns]
        rows = [[with_ids + k, *row] for k, row in enumerate(rows)]
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            names = ", ".join(f'"{c}"' for c in columns)
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    raw = connection.connection
    raw.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)


# --- measure ----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def token_for(username: str) -> str:
    from django.contrib.auth import get_user_model

    from tierdesk.people.services import token_create

    _, secret = token_create(user=get_user_model().objects.get(username=username))
    return secret


def timed(client, secret: str, paths: list[str], repeat: int) -> dict:
    from django.db import connection

    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for path in paths[:5]:  # warm-up
        assert client.get(path, **headers).status_code == 200
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(paths[0], **headers)
    latencies, found = [], []
    from benchmarks.server_cpu import backend_pid, process_cpu

    backend = backend_pid()
    db0 = process_cpu(backend)
    cpu0 = time.process_time()
    for k in range(repeat):
        path = paths[k % len(paths)]
        t0 = time.perf_counter()
        response = client.get(path, **headers)
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.content[:300]}")
        found.append(len(response.json()["items"]))
    cpu = time.process_time() - cpu0
    db_cpu = process_cpu(backend) - db0 if backend else 0.0
    return {
        "requests": repeat, "queries": len(queries),
        "p50": percentile(latencies, 50) * 1000, "p90": percentile(latencies, 90) * 1000,
        "p99": percentile(latencies, 99) * 1000, "max": max(latencies) * 1000,
        "cpu_ms": cpu / repeat * 1000, "db_cpu_ms": db_cpu / repeat * 1000,
        "items_avg": sum(found) / len(found),
    }


def matches(word: str, username: str | None = None) -> int:
    """Tickets whose document holds ``word``: all of them, or those ``username`` may see
    (counted without the ranking window)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tierdesk.people.access import viewer_for
    from tierdesk.search import backends, query
    from tierdesk.tickets import selectors
    from tierdesk.tickets.search import TICKETS

    if username is None:
        where, _, params, _ = backends.match(TICKETS, [word], internal=True)
        sql = f"SELECT count(*) FROM {TICKETS.table} WHERE {where}"
    else:
        viewer = viewer_for(get_user_model().objects.get(username=username))
        scope, scope_params = selectors._where(selectors._scope(viewer), {})
        ranked, params = query.ranked_ids_sql(
            TICKETS, word, internal=viewer.is_agent, table="tickets_ticket", alias="t",
            where=" AND ".join(scope), params=scope_params, limit=10**9, window=10**9)
        sql = f"SELECT count(*) FROM ({ranked}) hits"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def measure(args: argparse.Namespace, tickets: int, rng: random.Random) -> list[dict]:
    from django.test import Client

    client = Client()
    pool = max(tickets // RARE_SHARE, 1)
    rare = [rare_word(rng.randrange(pool)) for _ in range(200)]
    rows = []
    cases = [
        ("alice", "L1 agent, group Support", "rare word", [f"/api/v1/tickets?q={w}" for w in rare]),
        ("alice", "L1 agent, group Support", "common word (1 in 10)",
         [f"/api/v1/tickets?q={COMMON_WORD}"]),
        ("alice", "L1 agent, group Support", "two words, rare + common",
         [f"/api/v1/tickets?q={COMMON_WORD}+{w}" for w in rare]),
        ("alice", "L1 agent, group Support", "error code DB-2002 (1 in 7)",
         ["/api/v1/tickets?q=DB-2002"]),
        ("maria", "support manager (all tickets)", "rare word",
         [f"/api/v1/tickets?q={w}" for w in rare]),
        ("maria", "support manager (all tickets)", "common word (1 in 10)",
         [f"/api/v1/tickets?q={COMMON_WORD}"]),
        ("customer1018", "customer (one organisation)", "common word (1 in 10)",
         [f"/api/v1/tickets?q={COMMON_WORD}"]),
    ]
    secrets = {}
    for username, who, what, paths in cases:
        if args.only and args.only not in what:
            continue
        secrets.setdefault(username, token_for(username))
        repeat = args.repeat if "rare" in what and "+" not in paths[0] else args.repeat_common
        result = timed(client, secrets[username], paths, repeat)
        row = {"who": who, "what": what, **result}
        rows.append(row)
        print(f"  {who} / {what}: p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f}, "
              f"p99 {result['p99']:.1f}, max {result['max']:.1f}; CPU/req: app "
              f"{result['cpu_ms']:.1f} ms + database server {result['db_cpu_ms']:.1f} ms; "
              f"{result['queries']} queries; {result['items_avg']:.1f} items/page; "
              f"load {loadavg()}", flush=True)
    sample = rare[0]
    print(f"  matches: rare word {sample!r} in {matches(sample)} tickets "
          f"({matches(sample, 'alice')} visible to alice); {COMMON_WORD!r} in "
          f"{matches(COMMON_WORD)} tickets ({matches(COMMON_WORD, 'alice')} visible to "
          f"alice)", flush=True)
    return rows


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=400, help="timed rare-word searches")
    parser.add_argument("--repeat-common", type=int, default=60,
                        help="timed common-word searches")
    parser.add_argument("--only", default="", help="only cases whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the instance afterwards")
    parser.add_argument("--reuse", help="measure an instance kept earlier (data folder for "
                                        "SQLite, database name for PostgreSQL)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    rng = random.Random(10)
    size = f"reuse={args.reuse}" if args.reuse else f"tickets={args.tickets}"
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} db={args.db} {size}")
    print(f"uptime: {uptime()}", flush=True)
    place = configure(args)
    print(f"instance: {place}", flush=True)
    try:
        if place["fresh"]:
            print(f"seed: {seed(args.tickets, rng)}", flush=True)
            from tierdesk.search.services import rebuild

            started, cpu0 = time.monotonic(), time.process_time()
            done = rebuild()
            print(f"index rebuild: {done} in {time.monotonic() - started:.1f} s "
                  f"(CPU of this process {time.process_time() - cpu0:.1f} s); "
                  f"uptime: {uptime()}", flush=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tickets_ticket")
            n_tickets = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM tickets_message")
            n_messages = cursor.fetchone()[0]
        print(f"{n_tickets} tickets, {n_messages} messages", flush=True)
        measure(args, n_tickets, random.Random(11))
        print(f"uptime: {uptime()}", flush=True)
    finally:
        scratch_cleanup(place)
        if not (args.keep or args.reuse):  # a reused instance was kept to be measured again
            teardown(place)
        else:
            print(f"kept: {place}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
