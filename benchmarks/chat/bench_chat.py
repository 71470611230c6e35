"""Chat delivery latency through the real server, between two processes (issue 12).

Two ``tierdesk serve --workers 1`` instances (``--workers N`` for more) share one database
(SQLite by default, ``--db postgres`` for a scratch PostgreSQL database). For each sample
a visitor's long-poll waits on server A while the agent posts the line to server B; the
latency is from just before the POST is sent to the moment the long-poll's answer has
arrived: what a browser on A sees of a message typed into B.

``--redis redis://127.0.0.1:6379/5`` gives both servers ``TIERDESK_CHAT_REDIS_URL`` (pub/sub
delivery); ``--raw PREFIX`` writes every sample (and the servers' logs) next to PREFIX.
``delivery_ms_after_each_chats_first_line`` leaves out the first line of each chat, the
first request each fresh server thread handles.

A second phase measures what open chats cost the rest of the API: the latency of
``GET /api/v1/me`` on server A while ``--idle-polls`` chats keep a long-poll open there,
with the threaded worker (the default) and with ``--compare-sync`` also the plain sync
worker (``TIERDESK_WEB_THREADS=1``).

    .venv/bin/python benchmarks/chat/bench_chat.py --samples 300 --chats 10 --compare-sync
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def call(method, url, body=None, headers=None, timeout=60.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def start(port, env, log_dir, started, workers=1):
    log = open(log_dir / f"server-{port}.log", "w")  # noqa: SIM115 - lives with the server
    proc = subprocess.Popen([str(BIN / "tierdesk"), "serve", "--no-demo", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    started.append(proc)  # stopped by the caller's finally
    raise SystemExit(f"server on {port} did not start; see {log_dir}")


def stop(proc):
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def delivery_latency(a, b, agent, samples, chats):
    sessions = []
    for i in range(chats):
        status, s = call("POST", f"{a}/api/v1/chat/sessions",
                         {"text": f"bench chat {i}", "name": f"V{i}",
                          "email": f"v{i}-{time.time_ns()}@bench.example"})
        assert status == 201, s
        sessions.append({"id": s["session_id"], "token": s["token"], "after": s["last_id"]})
    latencies, posts, after_reply, raw = [], [], [], []
    lock = threading.Lock()
    t_start = time.perf_counter()

    def one_chat(sess, rounds):
        for n in range(rounds):
            got = {}

            def poll(got=got):
                status, body = call("GET", f"{a}/api/v1/chat/sessions/{sess['id']}/messages"
                                           f"?after={sess['after']}&wait=20",
                                    headers={"X-Chat-Token": sess["token"]})
                got["t"], got["body"] = time.perf_counter(), body

            t = threading.Thread(target=poll)
            t.start()
            time.sleep(0.15)  # the long-poll is waiting on A
            sent = time.perf_counter()
            status, line = call("POST", f"{b}/api/v1/chat/sessions/{sess['id']}/messages",
                                {"text": f"answer {n}"}, headers=agent)
            replied = time.perf_counter()
            assert status == 201, line
            t.join(30)
            assert got["body"]["messages"], got
            sess["after"] = got["body"]["messages"][-1]["id"]
            with lock:
                latencies.append((got["t"] - sent) * 1000)
                posts.append((replied - sent) * 1000)
                after_reply.append(max(0.0, got["t"] - replied) * 1000)
                raw.append({"chat": sess["id"], "round": n,
                            "sent_s": round(sent - t_start, 4),
                            "delivery_ms": round((got["t"] - sent) * 1000, 2),
                            "post_ms": round((replied - sent) * 1000, 2),
                            "after_ms": round((got["t"] - replied) * 1000, 2)})

    per_chat = max(1, samples // chats)
    threads = [threading.Thread(target=one_chat, args=(s, per_chat)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, posts, after_reply, raw


def api_latency_with_open_polls(a, agent, idle_polls, requests):
    stop_flag = threading.Event()
    sessions = []
    for i in range(idle_polls):
        status, s = call("POST", f"{a}/api/v1/chat/sessions",
                         {"text": f"idle chat {i}", "name": f"I{i}",
                          "email": f"i{i}-{time.time_ns()}@bench.example"})
        sessions.append(s)

    def hold(s):
        while not stop_flag.is_set():
            try:
                _, answer = call("GET", f"{a}/api/v1/chat/sessions/{s['session_id']}/messages"
                                        f"?after={s['last_id']}&wait=20",
                                 headers={"X-Chat-Token": s["token"]}, timeout=30)
            except OSError:
                return
            time.sleep(answer.get("retry_ms", 0) / 1000)  # as the widget does

    holders = [threading.Thread(target=hold, args=(s,), daemon=True) for s in sessions]
    for t in holders:
        t.start()
    time.sleep(1.0)
    times, timeouts = [], 0
    for _ in range(requests):
        t0 = time.perf_counter()
        try:
            call("GET", f"{a}/api/v1/me", headers=agent, timeout=5)
            times.append((time.perf_counter() - t0) * 1000)
        except OSError:
            timeouts += 1
    stop_flag.set()
    return times, timeouts


def run(args, threads_per_worker, base_dir, label):
    data = Path(tempfile.mkdtemp(prefix=f"chatbench-{label}-", dir=base_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env.update(TIERDESK_DATA_DIR=str(data), TIERDESK_SWEEP_INTERVAL="3600",
               TIERDESK_WEB_THREADS=str(threads_per_worker),
               TIERDESK_RATE_LIMIT_TOKEN_PER_MINUTE="0", TIERDESK_RATE_LIMIT_IP_PER_MINUTE="0")
    if args.redis:
        env["TIERDESK_CHAT_REDIS_URL"] = args.redis
        out_redis = args.redis
    else:
        out_redis = None
    if args.db == "postgres":
        name = f"{args.pg_prefix}_{label}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f"CREATE DATABASE {name}"], check=True)
        env["TIERDESK_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    seeded = subprocess.run([sys.executable, str(Path(__file__).parent / "seed.py")], env=env,
                            capture_output=True, text=True, check=True, cwd=ROOT)
    token = json.loads(seeded.stdout.strip().splitlines()[-1])["token"]
    agent = {"Authorization": f"Bearer {token}"}
    a, b = f"http://127.0.0.1:{args.ports[0]}", f"http://127.0.0.1:{args.ports[1]}"
    procs = []
    out = {"label": label, "workers": args.workers, "threads": threads_per_worker,
           "db": args.db, "redis": out_redis, "load_before": os.getloadavg()}
    try:
        procs.append(start(args.ports[0], env, data, procs, args.workers))
        procs.append(start(args.ports[1], env, data, procs, args.workers))
        if threads_per_worker > 1:
            lat, posts, after, raw = delivery_latency(a, b, agent, args.samples, args.chats)
            if args.raw:
                Path(f"{args.raw}.{label}.json").write_text(json.dumps(raw))
            # Each chat's first line is the first one a fresh server's threads handle
            # (connections opened, first-use caches built): shown apart as well.
            warm = [x["delivery_ms"] for x in raw if x["round"] > 0]
            for key, values in (("delivery_ms", lat), ("post_round_trip_ms", posts),
                                ("poll_answer_after_post_answer_ms", after),
                                ("delivery_ms_after_each_chats_first_line", warm)):
                out[key] = {"n": len(values), "p50": round(statistics.median(values), 1),
                            "p95": round(pct(values, 95), 1), "p99": round(pct(values, 99), 1),
                            "max": round(max(values), 1)}
        base, _ = api_latency_with_open_polls(a, agent, 0, args.api_requests)
        held, timeouts = api_latency_with_open_polls(a, agent, args.idle_polls,
                                                     args.api_requests)
        out["api_me_ms_no_chats"] = {"p50": round(statistics.median(base), 1),
                                     "p99": round(pct(base, 99), 1)}
        out[f"api_me_ms_{args.idle_polls}_open_chats"] = {
            "p50": round(statistics.median(held), 1) if held else None,
            "p99": round(pct(held, 99), 1) if held else None,
            "timeouts_over_5s": timeouts}
    finally:
        for p in procs:
            stop(p)
        out["load_after"] = os.getloadavg()
        if args.db == "postgres":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {args.pg_prefix}_{label}"])
        if args.raw:
            for log in data.glob("server-*.log"):
                shutil.copy(log, f"{args.raw}.{label}.{log.name}")
        shutil.rmtree(data, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--chats", type=int, default=10, help="chats answered at once")
    parser.add_argument("--idle-polls", type=int, default=20)
    parser.add_argument("--api-requests", type=int, default=50)
    parser.add_argument("--ports", type=int, nargs=2, default=(8153, 8154))
    parser.add_argument("--threads", type=int, default=16, help="TIERDESK_WEB_THREADS")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes per server (tierdesk serve's default is one "
                             "per core)")
    parser.add_argument("--compare-sync", action="store_true")
    parser.add_argument("--redis", metavar="URL", default="",
                        help="TIERDESK_CHAT_REDIS_URL for both servers (pub/sub delivery)")
    parser.add_argument("--pg-prefix", default="tierdesk_chatbench",
                        help="scratch PostgreSQL database name prefix (--db postgres)")
    parser.add_argument("--raw", metavar="PREFIX", default="",
                        help="write every sample to PREFIX.<label>.json")
    args = parser.parse_args()
    base_dir = Path(tempfile.gettempdir())
    results = [run(args, args.threads, base_dir, f"gthread{args.threads}")]
    if args.compare_sync:
        results.append(run(args, 1, base_dir, "sync"))
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
