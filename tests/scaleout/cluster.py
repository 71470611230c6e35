"""A whole Tierdesk installation as real processes, for the scale-out test, the chaos run
and the soak: `tierdesk serve` instances (gunicorn), `tierdesk worker` processes and one
`tierdesk beat` on a real broker (Redis or RabbitMQ), a scratch database (PostgreSQL or
the SQLite file) and a loopback SMTP server that counts every mail by its Message-ID.

Each process starts in a session of its own, so a fault kills exactly the process tree a
crash would take down (systemd's control group), and the cluster's ``stop`` ends only
what it started.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.outbox.loopback import SMTPServer

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672//"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    return os.environ.get("TIERDESK_TEST_REDIS_URL", DEFAULT_REDIS)


def amqp_url() -> str:
    return os.environ.get("TIERDESK_TEST_AMQP_URL", DEFAULT_AMQP)


def broker_reachable(url: str) -> str | None:
    """Return why the broker at ``url`` cannot be used, or None when it answers."""
    parsed = urllib.parse.urlsplit(url)
    port = parsed.port or (6379 if parsed.scheme.startswith("redis") else 5672)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=1):
            pass
    except OSError as exc:
        return f"no broker at {parsed.hostname}:{port} ({exc})"
    if parsed.scheme.startswith("amqp"):
        from kombu import Connection

        try:
            with Connection(url, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:  # a wrong vhost or password
            return f"RabbitMQ at {parsed.hostname}:{port} refused {url} ({exc})"
    return None


def base_database_url() -> str:
    return os.environ.get("TIERDESK_DATABASE_URL", "")


def on_postgres() -> bool:
    return base_database_url().startswith(("postgres://", "postgresql://"))


def _pg_admin(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def pg_scratch_database(name_hint: str) -> str:
    """Create an empty PostgreSQL database next to the configured one; return its URL."""
    parts = urllib.parse.urlsplit(base_database_url())
    name = f"{parts.path.lstrip('/')}_{name_hint}_{uuid.uuid4().hex[:8]}"
    with _pg_admin(base_database_url()) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def pg_drop_database(url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with _pg_admin(url) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def pg_terminate_connections(url: str) -> int:
    """Cut every connection the instance holds to its database (as a failover would)."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with _pg_admin(url) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", [name]).fetchall()
    return len(rows)


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Proc:
    """One started command: its process (a session leader) and its log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None
    port: int | None = None

    def start(self) -> "Proc":
        handle = open(self.log, "a")  # noqa: SIM115 - the child keeps writing to it
        handle.write(f"--- start {' '.join(self.argv)}\n")
        handle.flush()
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=REPO, stdout=handle,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill_tree(self, sig: int = signal.SIGKILL, wait: float = 20) -> None:
        """Signal the whole process group (the master and its children), as a crash of
        the host's service would; reap the leader."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(wait)

    def stop(self) -> None:
        if self.running():
            self.kill_tree(signal.SIGTERM, wait=5)  # a clean stop is not what is tested
        if self.running():
            self.kill_tree(signal.SIGKILL)
        # children of a group that outlived the leader (none expected)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


@dataclass
class Cluster:
    """Processes of one installation; ``database`` is "postgres" or "sqlite"."""

    root: Path
    database: str = "postgres"
    broker_url: str = field(default_factory=redis_url)
    instances: int = 2
    web_workers: int = 2
    workers: int = 2
    worker_concurrency: int = 1
    sweep_interval: int = 1
    pack: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.queue = f"tierdesk-cluster-{uuid.uuid4().hex[:10]}"
        self.secret_key = uuid.uuid4().hex * 2
        self.database_url = ""
        self.smtp = SMTPServer()
        self.web: list[Proc] = []
        self.worker_procs: list[Proc] = []
        self.beat: Proc | None = None
        self.seed: dict = {}
        self.timings: dict[str, float] = {}

    # --- set-up -----------------------------------------------------------------------
    def env(self, data_dir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TIERDESK_", "PROMETHEUS_", "PYTEST_", "DJANGO_"))}
        env.update({
            "TIERDESK_DATA_DIR": str(data_dir),
            "TIERDESK_SECRET_KEY": self.secret_key,
            "TIERDESK_BROKER_URL": self.broker_url,
            "TIERDESK_BROKER_QUEUE": self.queue,
            "TIERDESK_SWEEP_INTERVAL": str(self.sweep_interval),
            "TIERDESK_EMAIL_ENABLED": "true",
            "TIERDESK_SMTP_HOST": self.smtp.host,
            "TIERDESK_SMTP_PORT": str(self.smtp.port),
            "TIERDESK_OUTBOX_CLAIM_SECONDS": "15",
            "TIERDESK_RATE_LIMIT_TOKEN_PER_MINUTE": "0",
            "TIERDESK_RATE_LIMIT_IP_PER_MINUTE": "0",
            "TIERDESK_RATE_LIMIT_AUTH_PER_MINUTE": "0",
            "TIERDESK_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        })
        if self.database_url:
            env["TIERDESK_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def data_dir(self, index: int) -> Path:
        """Each web instance its own data folder on PostgreSQL (as on its own host); on
        SQLite they must share the one holding the database file."""
        folder = self.root / ("data" if self.database == "sqlite" else f"data{index}")
        folder.mkdir(exist_ok=True)
        return folder

    def run(self, *argv: str, index: int = 0, timeout: float = 300) -> str:
        done = subprocess.run(list(argv), env=self.env(self.data_dir(index)), cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> "Cluster":
        began = time.monotonic()
        self.smtp.start()
        if self.database == "postgres":
            self.database_url = pg_scratch_database("cluster")
        seed = [str(BIN / "python"), "-m", "tests.scaleout.seed", "--migrate"]
        if self.pack:
            seed += ["--pack", str(self.pack)]
        self.seed = json.loads(self.run(*seed).strip().splitlines()[-1])
        self.timings["migrate and seed"] = time.monotonic() - began
        for index in range(self.instances):
            self.start_web(index)
        for index in range(self.workers):
            self.start_worker(index)
        self.start_beat()
        for proc in self.web:
            self.wait_healthy(proc)
        self.timings["up"] = time.monotonic() - began
        return self

    def start_web(self, index: int) -> Proc:
        port = self.web[index].port if index < len(self.web) else free_port()
        proc = Proc(f"web{index}", [str(BIN / "tierdesk"), "serve", "--no-demo",
                                     "--port", str(port), "--workers", str(self.web_workers)],
                    self.env(self.data_dir(index)), self.root / f"web{index}.log", port=port)
        if index < len(self.web):
            self.web[index] = proc
        else:
            self.web.append(proc)
        return proc.start()

    def start_worker(self, index: int) -> Proc:
        proc = Proc(f"worker{index}", [str(BIN / "tierdesk"), "worker", "--loglevel",
                                        "WARNING", "--concurrency",
                                        str(self.worker_concurrency), "--hostname",
                                        f"w{index}-{self.queue}@%h"],
                    self.env(self.data_dir(0)), self.root / f"worker{index}.log")
        if index < len(self.worker_procs):
            self.worker_procs[index] = proc
        else:
            self.worker_procs.append(proc)
        return proc.start()

    def start_beat(self) -> Proc:
        self.beat = Proc("beat", [str(BIN / "tierdesk"), "beat", "--loglevel", "WARNING"],
                         self.env(self.data_dir(0)), self.root / "beat.log")
        return self.beat.start()

    def wait_healthy(self, proc: Proc, seconds: float = 120) -> float:
        """Wait for ``proc`` (a web instance) to answer /healthz; return the seconds taken."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if not proc.running():
                raise RuntimeError(f"{proc.name} exited:\n{self.tail(proc)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{proc.port}/healthz",
                                            timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{proc.name} did not answer /healthz:\n{self.tail(proc)}")

    def tail(self, proc: Proc, chars: int = 3000) -> str:
        try:
            return proc.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # --- faults -----------------------------------------------------------------------
    def web_worker_pids(self, index: int) -> list[int]:
        proc = self.web[index]
        # the master's children: web workers and (without a broker) the sweeper
        return [pid for pid in children_of(proc.pid)
                if "sweep" not in _cmdline(pid)]

    def kill_web_worker(self, index: int) -> int | None:
        """``kill -9`` one gunicorn worker; its master starts a new one."""
        pids = self.web_worker_pids(index)
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def restart_web(self, index: int) -> float:
        """``kill -9`` a whole web instance (master and workers) and start it again;
        return the seconds until the new one answered /healthz."""
        self.web[index].kill_tree()
        proc = self.start_web(index)
        return self.wait_healthy(proc)

    def restart_worker(self, index: int, pause: float = 1.0) -> None:
        """``kill -9`` a Celery worker with its pool and start it again."""
        self.worker_procs[index].kill_tree()
        time.sleep(pause)
        self.start_worker(index)

    def cut_database(self) -> int:
        """Terminate every server-side connection (PostgreSQL only)."""
        if self.database != "postgres":
            return 0
        return pg_terminate_connections(self.database_url)

    # --- reading ----------------------------------------------------------------------
    def base(self, index: int) -> str:
        return f"http://127.0.0.1:{self.web[index].port}"

    def database_handle(self):
        """A plain connection to the cluster's database (see tests.chaos.audit)."""
        from tests.chaos.audit import Database

        if self.database == "postgres":
            return Database(url=self.database_url)
        return Database(sqlite_path=str(self.data_dir(0) / "tierdesk.sqlite3"))

    def audit(self, prefix: str | None = None, *, breaches: bool = False,
              keyed: bool = True) -> dict:
        """What the database holds now: tickets, audit log and mail of ``prefix``; SLA
        breaches per clock with ``breaches``."""
        from tests.chaos.audit import breaches_report, tickets_report

        db = self.database_handle()
        try:
            report = tickets_report(db, prefix, keyed=keyed) if prefix else {}
            if breaches:
                report.update(breaches_report(db))
            return report
        finally:
            db.close()

    def process_table(self) -> dict[str, list[int]]:
        """Every live process of the cluster by role (for memory sampling)."""
        table: dict[str, list[int]] = {}
        for proc in self.web:
            if proc.running():
                table[f"{proc.name}-master"] = [proc.pid]
                for n, pid in enumerate(self.web_worker_pids(self.web.index(proc))):
                    table[f"{proc.name}-worker{n}"] = [pid]
        for proc in [*self.worker_procs, *([self.beat] if self.beat else [])]:
            if proc.running():
                table[proc.name] = [proc.pid, *children_of(proc.pid)]
        return table

    def stop(self) -> None:
        for proc in [*self.web, *self.worker_procs, *([self.beat] if self.beat else [])]:
            proc.stop()
        with contextlib.suppress(Exception):
            self.smtp.stop()
        if self.database_url and self.database == "postgres":
            with contextlib.suppress(Exception):
                pg_drop_database(self.database_url)
        with contextlib.suppress(Exception):
            _purge_queue(self.broker_url, self.queue)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _purge_queue(url: str, queue: str) -> None:
    """Leave nothing of this run in the shared broker."""
    from kombu import Connection

    with Connection(url, connect_timeout=2) as conn:
        channel = conn.channel()
        with contextlib.suppress(Exception):
            channel.queue_delete(queue)
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        try:
            stale = list(client.scan_iter(match=f"*{queue}*"))  # the queue, its bindings
            if stale:
                client.delete(*stale)
            for binding in client.scan_iter(match="_kombu.binding.*"):
                for member in client.smembers(binding):
                    if queue.encode() in member:
                        client.srem(binding, member)
        finally:
            client.close()
