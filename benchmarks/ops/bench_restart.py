"""How long `tierdesk serve` takes to answer /healthz again after `kill -9` of its master.

Starts the real server on a scratch data folder (SQLite, or a scratch PostgreSQL database
with ``--db postgres``), lets it finish its first start (migrations, static files), then
``--rounds`` times: ``kill -9`` the master (its workers and sweeper die with it), start the
same command again and time until /healthz answers 200. Also times the pieces a restart
pays: the CLI's Django set-up and the app import, in fresh interpreters.

    .venv/bin/python benchmarks/ops/bench_restart.py [--db postgres] [--rounds 5]
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.scaleout.cluster import (  # noqa: E402
    BIN,
    free_port,
    pg_drop_database,
    pg_scratch_database,
)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def start(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "tierdesk"), "serve", "--no-demo", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(port: int, proc: subprocess.Popen, limit: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if proc.poll() is not None:
            raise SystemExit("server exited during start")
        if healthy(port):
            return time.monotonic() - started
        time.sleep(0.02)
    raise SystemExit("no /healthz answer")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (its own, not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_seconds(env: dict, code: str) -> tuple[float, float]:
    """(wall, CPU) seconds of ``code`` in a fresh interpreter: the CPU figure is the one
    a busy machine does not inflate."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True,
                   capture_output=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="tierdesk-restart-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIERDESK_", "DJANGO_"))}
    env.update(TIERDESK_DATA_DIR=str(data), PYTHONPATH=str(REPO))
    database_url = ""
    if args.db == "postgres":
        os.environ.setdefault("TIERDESK_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/tierdesk")
        database_url = pg_scratch_database("restart")
        env["TIERDESK_DATABASE_URL"] = database_url
    port = free_port()
    log = open(data / "serve.log", "a")  # noqa: SIM115
    proc = start(env, port, args.workers, log)
    try:
        first = wait_healthy(port, proc)
        print(f"first start (migrate, collectstatic): {first:.2f}s", flush=True)
        times, cpus = [], []
        for _ in range(args.rounds):
            time.sleep(2)  # the sweeper is up and every worker idle
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            time.sleep(0.3)  # the workers die with their master (PR_SET_PDEATHSIG)
            proc = start(env, port, args.workers, log)
            took = wait_healthy(port, proc)
            cpu = cpu_seconds(proc.pid)
            times.append(took)
            cpus.append(cpu)
            print(f"restart after kill -9: /healthz in {took:.2f}s (master CPU {cpu:.2f}s, "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
        setup = python_seconds(env, "from tierdesk.cli.setup import django_setup; "
                                    "django_setup()")
        app = python_seconds(env, "from tierdesk.cli.setup import django_setup; "
                                  "django_setup(); import tierdesk.wsgi, tierdesk.urls")
        print(f"median {statistics.median(times):.2f}s, max {max(times):.2f}s over "
              f"{len(times)} restarts ({args.db}, {args.workers} workers); master CPU to "
              f"the first answer: median {statistics.median(cpus):.2f}s; "
              f"fresh interpreter: django set-up {setup[0]:.2f}s (CPU {setup[1]:.2f}s), "
              f"with the app and URLs {app[0]:.2f}s (CPU {app[1]:.2f}s); "
              f"load average {os.getloadavg()[0]:.1f}")
    finally:
        with_group = proc.pid
        try:
            os.killpg(with_group, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(with_group, signal.SIGKILL)
        log.close()
        if database_url:
            pg_drop_database(database_url)


if __name__ == "__main__":
    main()
