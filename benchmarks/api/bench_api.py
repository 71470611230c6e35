"""Measure the real Tierdesk server (``tierdesk serve``, gunicorn) over loopback.

One command runs everything for one database:

    .venv/bin/python benchmarks/api/bench_api.py --db sqlite
    .venv/bin/python benchmarks/api/bench_api.py --db postgres

* create: N x ``POST /api/v1/tickets`` from 2 client processes x 2 threads (concurrency 4),
  then checks that the database holds exactly N new tickets (plus messages, events, outbox).
  Three servers in one run (``--targets``): Tierdesk with the DataFlow pack applied (the
  real path), Tierdesk with no pack (the old baseline, labelled so) and a bare Django +
  ninja app writing ticket + event + outbox row (``benchmarks/bare``).
* list: bulk-loads 100,000 tickets through the ORM (DataFlow pack applied), then times
  ``GET /api/v1/tickets`` (first page, a filtered page and a deep cursor page) as a
  support manager (sees everything) and as a group-scoped L1 agent (sees one queue).

Every Tierdesk row also gives the statements and the CPU of one request measured
in-process (``seed.py cost``: Django's test client on the same database), figures that do
not depend on how busy the machine is.

Each benchmark gets a fresh data folder (and, for PostgreSQL, a fresh scratch database),
which is removed afterwards. Results are printed as a markdown table; nothing is written.
See benchmarks/api/README.md for the method.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BARE = ROOT / "benchmarks" / "bare"
HOST = "127.0.0.1"  # only ever loopback
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
CREATE_PATH = "/api/v1/tickets"
CREATE_PREFIX = "bench-create "
WARMUP_PREFIX = "bench-warmup "


# --- environment: data folder, database, server --------------------------------------------


@dataclass
class Env:
    """One isolated instance: a temp data folder and, for PostgreSQL, a scratch database."""

    db: str
    tmp: Path
    vars: dict[str, str]
    pg_name: str | None = None
    bare: bool = False
    server: subprocess.Popen | None = None
    port: int = 0
    log_path: Path | None = None
    hung_probes: int = 0

    @classmethod
    def create(cls, db: str, bare: bool = False) -> "Env":
        tmp = Path(tempfile.mkdtemp(prefix="tierdesk-bench-api-"))
        env = dict(os.environ)
        for key in list(env):
            if key.startswith("TIERDESK_") or key == "DJANGO_SETTINGS_MODULE":
                del env[key]
        env.update({
            "TIERDESK_DATA_DIR": str(tmp / "data"),
            "TIERDESK_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tierdesk.settings",
            "PYTHONUNBUFFERED": "1",
            "TIERDESK_BARE_DB": str(tmp / "bare.sqlite3"),
            # The rate limiter still counts every request (its cost is in the figures)
            # but with budgets no load generator reaches.
            "TIERDESK_RATE_LIMIT_TOKEN_PER_MINUTE": "1000000000",
            "TIERDESK_RATE_LIMIT_IP_PER_MINUTE": "1000000000",
        })
        pg_name = None
        if db == "postgres":
            pg_name = f"tierdesk_bench_{uuid.uuid4().hex[:8]}"
            subprocess.run(["createdb", "-h", HOST, "-U", "postgres", pg_name], check=True,
                           timeout=30)
            env["TIERDESK_DATABASE_URL"] = PG_URL.format(name=pg_name)
            env["TIERDESK_BARE_DATABASE_URL"] = PG_URL.format(name=pg_name)
        return cls(db=db, tmp=tmp, vars=env, pg_name=pg_name, bare=bare)

    def django(self, *args: str, timeout: float = 900) -> dict:
        """Run a seed.py sub-command (bare: app.py) in this environment; return its JSON."""
        script = BARE / "app.py" if self.bare else HERE / "seed.py"
        out = subprocess.run([sys.executable, str(script), *args], env=self.vars,
                             cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"seed.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_server(self, workers: int | None, timeout: float = 120) -> None:
        """Start ``tierdesk serve``; wait until every worker answers /healthz promptly."""
        self.port = _free_port()
        cmd = [sys.executable, "-m", "tierdesk.cli", "serve", "--host", HOST,
               "--port", str(self.port), "--no-demo"]
        if workers:
            cmd += ["--workers", str(workers)]
        if self.bare:  # the same gunicorn settings as ``tierdesk serve``
            cmd = [sys.executable, "-m", "gunicorn", "--chdir", str(BARE), "--bind",
                   f"{HOST}:{self.port}", "--workers", str(workers or os.cpu_count() or 2),
                   "--worker-class", "sync", "--log-level", "warning", "app:application"]
        self.log_path = self.tmp / "server.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - the server owns it until stopped
        self.server = subprocess.Popen(cmd, env=self.vars, cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        # A worker forked while the master's sweep thread held a lock can hang (see
        # README): count slow probes and require 8 x workers prompt answers in a row.
        needed = 8 * (workers or os.cpu_count() or 2)
        streak = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and streak < needed:
            if self.server.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.server_log()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                streak = streak + 1 if ok else 0
                if self.hung_probes and not self.log_has("WORKER TIMEOUT"):
                    streak = 0  # wait for gunicorn to kill and replace the hung worker
                    time.sleep(0.5)
                continue
            except TimeoutError:
                self.hung_probes += 1
                print("  !! /healthz probe timed out: a server worker is hung", flush=True)
            except OSError:
                pass
            streak = 0
            time.sleep(0.2)
        if streak < needed:
            raise RuntimeError(f"server not healthy after {timeout}s:\n{self.server_log()}")

    def log_has(self, text: str) -> bool:
        return bool(self.log_path and self.log_path.exists()
                    and text in self.log_path.read_text(errors="replace"))

    def server_log(self) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def stop_server(self) -> None:
        proc, self.server = self.server, None
        if proc is None or proc.poll() is not None:
            return
        # The server is this script's child and leads its own session: signal that group.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def close(self) -> None:
        try:
            self.stop_server()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            if self.pg_name:
                subprocess.run(["dropdb", "-h", HOST, "-U", "postgres", "--if-exists",
                                "--force", self.pg_name], check=False, timeout=60)


def cpu_idle(sample: float = 1.0) -> float:
    """Fraction of machine CPU left idle over ``sample`` seconds (from /proc/stat)."""

    def read() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)

    idle0, total0 = read()
    time.sleep(sample)
    idle1, total1 = read()
    return (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_quiet(max_wait: float, threshold: float = 0.85) -> float:
    """Wait (at most ``max_wait`` s) until the machine is mostly idle; return the idle share.

    Other jobs on a shared 2-core box skew every figure, so each timed run says how idle
    the machine was just before it started.
    """
    deadline = time.monotonic() + max_wait
    idle = cpu_idle()
    while idle < threshold and time.monotonic() < deadline:
        idle = cpu_idle(2.0)
    return idle


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by the live processes of process group ``pgid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is pgrp; [11], [12] are utime, stime
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- the load generator ----------------------------------------------------------------------


@dataclass
class Job:
    """What one client process does: ``count`` requests over ``threads`` connections."""

    port: int
    secret: str
    kind: str  # "create" or "get"
    count: int
    threads: int
    max_seconds: float
    path: str = ""
    contact_id: int = 0
    first_index: int = 0
    prefix: str = CREATE_PREFIX


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def merge(self, other: "Result") -> None:
        self.latencies += other.latencies
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.errors += other.errors[:20]
        self.client_cpu += other.client_cpu
        self.started = min(self.started or other.started, other.started)
        self.finished = max(self.finished, other.finished)

    @property
    def non_2xx(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300) + len(self.errors)


def _run_thread(job: Job, next_index, result: Result, lock: threading.Lock,
                deadline: float) -> None:
    headers = {"Authorization": f"Bearer {job.secret}", "Accept": "application/json"}
    if job.kind == "create":
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(HOST, job.port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    while time.monotonic() < deadline:
        i = next_index()
        if i is None:
            break
        body = None
        method, path = "GET", job.path
        if job.kind == "create":
            method, path = "POST", CREATE_PATH
            body = json.dumps({
                "subject": f"{job.prefix}{i}: dashboard shows error DB-2002",
                "body": f"Benchmark request {i}. Every dashboard answers 503 since 09:00 UTC.",
                "requester_id": job.contact_id,
            })
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            elapsed = time.perf_counter() - t0
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            latencies.append(elapsed)
            if not 200 <= resp.status < 300 and len(errors) < 5:
                errors.append(f"HTTP {resp.status}: {payload[:200]!r}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection(HOST, job.port, timeout=30)
    conn.close()
    with lock:
        result.latencies += latencies
        for status, n in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + n
        result.errors += errors


def _client_process(job: Job, barrier, queue) -> None:
    lock = threading.Lock()
    counter = iter(range(job.first_index, job.first_index + job.count))

    def next_index() -> int | None:
        with lock:
            return next(counter, None)

    result = Result()
    barrier.wait(timeout=60)
    cpu0 = time.process_time()
    result.started = time.monotonic()
    deadline = result.started + job.max_seconds
    threads = [threading.Thread(target=_run_thread, args=(job, next_index, result, lock,
                                                          deadline))
               for _ in range(job.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(job.max_seconds + 60)
    result.finished = time.monotonic()
    result.client_cpu = time.process_time() - cpu0
    queue.put(result)


def drive(job: Job, processes: int, server_pgid: int | None = None) -> Result:
    """Split ``job.count`` requests over ``processes`` client processes; merge their results."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes)
    queue = ctx.Queue()
    share, extra = divmod(job.count, processes)
    procs = []
    first = job.first_index
    for p in range(processes):
        n = share + (1 if p < extra else 0)
        part = Job(**{**job.__dict__, "count": n, "first_index": first})
        first += n
        procs.append(ctx.Process(target=_client_process, args=(part, barrier, queue),
                                 daemon=True))
    cpu0 = group_cpu_seconds(server_pgid) if server_pgid else 0.0
    for proc in procs:
        proc.start()
    total = Result()
    for _ in procs:
        total.merge(queue.get(timeout=job.max_seconds + 120))
    if server_pgid:
        total.server_cpu = group_cpu_seconds(server_pgid) - cpu0
    for proc in procs:
        proc.join(30)
    return total


# --- reporting ---------------------------------------------------------------------------------


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.4999)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    db: str
    name: str
    workers: str
    result: Result
    note: str = ""
    cost: dict | None = None  # seed.py cost: statements and in-process CPU per request

    def cells(self) -> list[str]:
        lat = sorted(self.result.latencies)
        wall = max(self.result.finished - self.result.started, 1e-9)
        ms = [f"{percentile(lat, p) * 1000:.1f}" for p in (50, 90, 99)]
        n = max(len(lat), 1)
        return [self.db, self.name, self.workers, str(len(lat)), str(self.result.non_2xx),
                f"{len(lat) / wall:.0f}", *ms, f"{(lat[-1] if lat else 0) * 1000:.1f}",
                f"{self.result.server_cpu / n * 1000:.2f}",
                f"{self.result.client_cpu / n * 1000:.2f}",
                str(self.cost["queries"]) if self.cost else "-",
                f"{self.cost['cpu_ms']:.2f}" if self.cost else "-", self.note]


HEADER = ["db", "benchmark", "workers", "requests", "non-2xx", "req/s", "p50 ms", "p90 ms",
          "p99 ms", "max ms", "server CPU ms/req", "client CPU ms/req", "queries/req",
          "in-process CPU ms/req", "note"]


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print()
    print(f"<!-- {time.strftime('%Y-%m-%d %H:%M %Z')}; nproc={os.cpu_count()}; "
          f"python {platform.python_version()}; client: {args.client_procs} processes x "
          f"{args.concurrency // args.client_procs} threads -->")
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    print(flush=True)


def _show(row: Row) -> None:
    cells = dict(zip(HEADER, row.cells(), strict=True))
    print(f"  {row.name}: {cells['requests']} requests, {cells['non-2xx']} non-2xx, "
          f"{cells['req/s']}/s, p50 {cells['p50 ms']} ms, p90 {cells['p90 ms']} ms, "
          f"p99 {cells['p99 ms']} ms, max {cells['max ms']} ms; CPU/req server "
          f"{cells['server CPU ms/req']} ms, client {cells['client CPU ms/req']} ms; "
          f"{cells['queries/req']} queries, in-process CPU {cells['in-process CPU ms/req']} ms"
          f" ({row.cost['kinds'] if row.cost else ''}); uptime load {loadavg()}", flush=True)
    for err in row.result.errors[:5]:
        print(f"    error: {err}", flush=True)


# --- the two benchmarks ----------------------------------------------------------------------


CREATE_TARGETS = {
    "dataflow": "POST /tickets, DataFlow pack (L1 agent)",
    "none": "POST /tickets, no pack (baseline only)",
    "bare": "POST /tickets, bare Django + ninja",
}


def bench_create(args: argparse.Namespace, workers: int | None, target: str = "dataflow"
                 ) -> Row:
    label = str(workers or os.cpu_count())
    print(f"[{args.db}] create benchmark ({target}), {label} server workers: seeding",
          flush=True)
    env = Env.create(args.db, bare=target == "bare")
    try:
        base = env.django("seed") if env.bare else env.django("base", "--pack", target)
        # The real user: a group-scoped L1 agent (bare: its one token).
        secret = base.get("agent_secret", base["secret"])
        env.start_server(workers)
        job = Job(port=env.port, secret=secret, kind="create", count=args.warmup,
                  threads=args.concurrency // args.client_procs, max_seconds=args.max_seconds,
                  contact_id=base["contact_id"], prefix=WARMUP_PREFIX)
        warm = drive(job, args.client_procs)
        if warm.non_2xx:
            raise RuntimeError(f"warm-up failed: {warm.errors[:1]} {warm.statuses}\n"
                               f"{env.server_log()}")
        print(f"[{args.db}] {args.creates} creates at concurrency {args.concurrency}",
              flush=True)
        job.count, job.prefix = args.creates, CREATE_PREFIX
        idle = wait_for_quiet(args.wait_idle)
        result = drive(job, args.client_procs, env.server.pid)
        counts = env.django("count", CREATE_PREFIX)
        # A pack's rules may queue more mail per ticket (DataFlow P0: 4), never less than 1.
        per_ticket = counts["outbox"] / max(args.creates, 1)
        ok = (all(counts[k] == args.creates for k in ("tickets", "messages", "events"))
              and per_ticket >= 1 and counts["outbox"] % args.creates == 0)
        note = (f"verified {counts['tickets']} tickets/messages/created events, "
                f"{per_ticket:.0f} outbox row(s) each" if ok else f"MISMATCH {counts}")
        note += f"; idle before {idle:.0%}, load after {loadavg()}"
        if env.hung_probes:
            note += f"; {env.hung_probes} hung worker probe(s) at start"
        cost = None if env.bare or not args.cost else env.django(
            "cost", "--kind", "create", "--secret", secret, "--contact",
            str(base["contact_id"]), "--n", str(args.cost))
        row = Row(args.db, CREATE_TARGETS[target], label, result, note, cost)
        _show(row)
        if not ok or result.non_2xx:
            print(f"  !! verification: {counts}, statuses {result.statuses}", flush=True)
            print(env.server_log()[-1500:], flush=True)
        return row
    finally:
        env.close()


def _get_json(port: int, secret: str, path: str) -> dict:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {resp.status} {body[:300]!r}")
        return json.loads(body)
    finally:
        conn.close()


def bench_list(args: argparse.Namespace, workers: int | None) -> list[Row]:
    label = str(workers or os.cpu_count())
    print(f"[{args.db}] list benchmark: seeding {args.bulk} tickets", flush=True)
    env = Env.create(args.db)
    try:
        base = env.django("base", "--pack", args.list_pack)
        t0 = time.monotonic()
        bulk = env.django("bulk", str(args.bulk))
        print(f"  bulk-loaded {bulk['tickets']} tickets and {bulk['events']} events in "
              f"{time.monotonic() - t0:.0f}s", flush=True)
        env.start_server(workers)
        secret = base["secret"]
        # A real cursor, from the API itself: walk to a page ~90% of the way down by
        # asking for the page that follows one deep in, then use its next_cursor.
        from_id = bulk["min_id"] + (bulk["max_id"] - bulk["min_id"]) // 10
        sys.path.insert(0, str(ROOT))
        from tierdesk.common import cursors  # the app's own opaque encoding

        deep = _get_json(env.port, secret, f"/api/v1/tickets?limit=50&cursor="
                                          f"{cursors.encode(from_id)}")
        if not deep["next_cursor"] or len(deep["items"]) != 50:
            raise RuntimeError("deep page did not return a full page with a next_cursor")
        first = _get_json(env.port, secret, "/api/v1/tickets?limit=50")
        if len(first["items"]) != 50 or not first["next_cursor"]:
            raise RuntimeError("first page is not a full page")
        filtered = _get_json(env.port, secret, "/api/v1/tickets?status=new&limit=50")
        if any(t["status"] != "new" for t in filtered["items"]) or not filtered["items"]:
            raise RuntimeError("status filter returned other statuses")
        cases = [
            ("GET /tickets?limit=50", "/api/v1/tickets?limit=50"),
            ("GET /tickets?status=new&limit=50", "/api/v1/tickets?status=new&limit=50"),
            ("GET /tickets?cursor=(deep)", f"/api/v1/tickets?limit=50&cursor="
                                           f"{deep['next_cursor']}"),
        ]
        if args.extra_lists:
            cases += [
                ("GET /tickets?status=closed&cursor=(deep)",
                 f"/api/v1/tickets?status=closed&limit=50&cursor={deep['next_cursor']}"),
                ("GET /tickets?q=dashboard+error+1234", "/api/v1/tickets?q=error+1234&limit=50"),
            ]
        rows = []
        threads = args.concurrency // args.client_procs
        personas = [("manager", secret), ("L1 agent, one queue", base["agent_secret"])]
        for name, path in cases:
            for persona, token in personas:
                if persona != "manager" and "cursor=" in path:
                    # The manager's deep cursor lies in other queues: the agent's own.
                    page = _get_json(env.port, token, path.split("cursor=")[0].rstrip("&")
                                     + f"&cursor={cursors.encode(from_id)}")
                    if not page["next_cursor"]:
                        continue
                    path = path.split("cursor=")[0] + f"cursor={page['next_cursor']}"
                warm = Job(port=env.port, secret=token, kind="get", count=args.warmup // 2,
                           threads=threads, max_seconds=args.max_seconds, path=path)
                drive(warm, args.client_procs)
                job = Job(**{**warm.__dict__, "count": args.lists})
                idle = wait_for_quiet(args.wait_idle)
                result = drive(job, args.client_procs, env.server.pid)
                cost = env.django("cost", "--kind", "get", "--secret", token, "--path", path,
                                  "--n", str(args.cost)) if args.cost else None
                row = Row(args.db, f"{name} as {persona}", label, result,
                          f"{bulk['tickets']} tickets, pack {args.list_pack}; idle before "
                          f"{idle:.0%}, load after {loadavg()}", cost)
                _show(row)
                rows.append(row)
        return rows
    finally:
        env.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", choices=("all", "create", "list"), default="all")
    parser.add_argument("--creates", type=int, default=10_000, help="POSTs to time")
    parser.add_argument("--lists", type=int, default=2_000, help="GETs to time per list case")
    parser.add_argument("--bulk", type=int, default=100_000, help="tickets to bulk-load")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first")
    parser.add_argument("--workers", type=int, default=None,
                        help="server workers (default: the server's own, one per core)")
    parser.add_argument("--workers-sweep", default="",
                        help="comma-separated worker counts to run the create benchmark with,"
                             " e.g. 2,3,4")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="total in-flight requests (split evenly over client processes)")
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="time bound for any one timed run")
    parser.add_argument("--wait-idle", type=float, default=60,
                        help="wait up to this many seconds for a quiet machine before each "
                             "timed run (0: do not wait)")
    parser.add_argument("--targets", default="dataflow,none,bare",
                        help="create benchmarks to run, in this order: dataflow (Tierdesk with"
                             " the DataFlow pack), none (no pack, baseline), bare (Django +"
                             " ninja alone)")
    parser.add_argument("--list-pack", default="dataflow",
                        help="seed pack applied for the list benchmark (none: no pack)")
    parser.add_argument("--cost", type=int, default=200,
                        help="requests per in-process cost measurement (0: skip)")
    parser.add_argument("--extra-lists", action="store_true",
                        help="also time a filtered deep page and a subject search")
    args = parser.parse_args(argv)
    if args.concurrency % args.client_procs:
        parser.error("--concurrency must be a multiple of --client-procs")

    # SIGTERM (and SIGINT) unwind through the finally blocks: server stopped, temp removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"nproc={os.cpu_count()} python={platform.python_version()} db={args.db}", flush=True)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
          flush=True)
    rows: list[Row] = []
    if args.only in ("all", "create"):
        sweep = [int(w) for w in args.workers_sweep.split(",") if w.strip()]
        for workers in sweep or [args.workers]:
            for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
                rows.append(bench_create(args, workers, target))
    if args.only in ("all", "list"):
        rows += bench_list(args, args.workers)
    print_table(rows, args)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
          flush=True)
    failed = [r for r in rows if r.result.non_2xx or "MISMATCH" in r.note]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
