"""A soak of the real server: `tierdesk serve` (2 web workers) + `tierdesk worker` (1) +
`tierdesk beat` on PostgreSQL and Redis, under a steady mixed API load for ``--minutes``.

The load: client threads, each in a loop picking creates, lists, reads, replies and
searches (weights below) with a think time, so the server runs busy but not saturated.
Every answer is checked (2xx, the JSON a client expects); latency is kept per route.
Every ``--sample`` seconds the resident memory (RSS) of each process is read from /proc.

Reports: requests and errors per route with p50/p95/p99, each process's RSS over time,
and its growth from the first sampled minute after the warm-up to the last minute, and the
load average (the machine is shared).

    .venv/bin/python benchmarks/ops/soak.py --minutes 10
"""

import argparse
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.chaos.driver import call  # noqa: E402
from tests.scaleout.cluster import Cluster, redis_url, rss_kib  # noqa: E402

WEIGHTS = {"create": 2, "list": 3, "read": 4, "reply": 2, "search": 2}
WORDS = ["invoice", "export", "timeout", "password", "sync", "dashboard", "latency",
         "webhook", "billing", "report", "crash", "login"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--think", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--sample", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=60,
                        help="seconds before the memory baseline is taken")
    parser.add_argument("--out", help="write the full report (JSON) here")
    args = parser.parse_args()
    # Stopped with SIGTERM, still stop the cluster (its processes run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("TIERDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tierdesk")

    root = Path(tempfile.mkdtemp(prefix="tierdesk-soak-"))
    cluster = Cluster(root, database="postgres", broker_url=redis_url(), instances=1,
                      web_workers=2, workers=1, worker_concurrency=1, sweep_interval=15,
                      pack=REPO / "tierdesk" / "policy" / "packs" / "escalation-basic.yaml")
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    memory: dict[str, list[tuple[float, int]]] = defaultdict(list)
    loads: list[tuple[float, float]] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        cluster.start()
        base, token = cluster.base(0), cluster.seed["token"]
        requester = cluster.seed["requester_id"]
        known: list[int] = []
        for n in range(50):  # something to read from the first second
            status, body = call(base, "POST", "/api/v1/tickets", token,
                                {"subject": f"soak seed {n} {random.choice(WORDS)}",
                                 "body": " ".join(random.choices(WORDS, k=12)),
                                 "requester_id": requester})
            known.append(body["id"])
        print(f"cluster up in {cluster.timings['up']:.0f}s; soak for {args.minutes} min",
              flush=True)
        started = time.monotonic()

        def request(route: str) -> None:
            if route == "create":
                method, path = "POST", "/api/v1/tickets"
                body = {"subject": f"soak {random.choice(WORDS)} {random.randrange(10**6)}",
                        "body": " ".join(random.choices(WORDS, k=20)),
                        "requester_id": requester}
                headers = {"Idempotency-Key": f"soak-{random.getrandbits(64):x}"}
            elif route == "list":
                method, path, body, headers = "GET", "/api/v1/tickets?limit=25", None, None
            elif route == "read":
                method, body, headers = "GET", None, None
                path = f"/api/v1/tickets/{random.choice(known)}"
            elif route == "reply":
                method, headers = "POST", None
                path = f"/api/v1/tickets/{random.choice(known)}/replies"
                body = {"body": "Thanks, " + " ".join(random.choices(WORDS, k=10))}
            else:
                method, body, headers = "GET", None, None
                path = f"/api/v1/tickets?q={random.choice(WORDS)}&limit=25"
            t0 = time.perf_counter()
            try:
                status, answer = call(base, method, path, token, body, headers)
            except OSError as exc:
                status, answer = 0, {"error": repr(exc)}
            took = time.perf_counter() - t0
            ok = 200 <= status < 300 and (route not in ("list", "search") or
                                           "items" in answer)
            with lock:
                latencies[route].append(took)
                if not ok:
                    errors[route].append(f"{status} {str(answer)[:200]}")
                elif route == "create":
                    known.append(answer["id"])

        def client() -> None:
            routes, weights = zip(*WEIGHTS.items(), strict=True)
            while not stop.is_set():
                request(random.choices(routes, weights)[0])
                time.sleep(args.think)

        def sampler() -> None:
            while not stop.wait(args.sample):
                at = time.monotonic() - started
                loads.append((at, os.getloadavg()[0]))
                for role, pids in cluster.process_table().items():
                    total = sum(rss_kib(p) or 0 for p in pids)
                    memory[role].append((at, total))

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        watcher = threading.Thread(target=sampler)
        for thread in [*threads, watcher]:
            thread.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for thread in [*threads, watcher]:
            thread.join()
        elapsed = time.monotonic() - started
        pending = cluster.audit("soak")["outbox_states"]
    finally:
        stop.set()
        cluster.stop()

    total = sum(len(v) for v in latencies.values())
    report = {"minutes": args.minutes, "requests": total,
              "per_second": round(total / elapsed, 1),
              "errors": sum(len(v) for v in errors.values()),
              "error_samples": {k: v[:5] for k, v in errors.items()},
              "routes": {}, "memory": {}, "load_average": {
                  "min": min(v for _, v in loads), "max": max(v for _, v in loads),
                  "mean": round(statistics.mean(v for _, v in loads), 1)},
              "soak_mail_states_at_end": pending}
    for route, values in sorted(latencies.items()):
        report["routes"][route] = {
            "requests": len(values), "errors": len(errors[route]),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1)}
    for role, samples in sorted(memory.items()):
        after = [kib for at, kib in samples if at >= args.warmup]
        if len(after) < 4:
            continue
        per_minute = max(1, int(60 / args.sample))
        first = statistics.mean(after[:per_minute])
        last = statistics.mean(after[-per_minute:])
        report["memory"][role] = {
            "first_minute_mib": round(first / 1024, 1), "last_minute_mib": round(last / 1024, 1),
            "growth_pct": round(100 * (last - first) / first, 1),
            "min_mib": round(min(after) / 1024, 1), "max_mib": round(max(after) / 1024, 1),
            "samples": len(samples)}
    print(json.dumps(report, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps({**report, "memory_series": memory}, indent=1))


if __name__ == "__main__":
    main()
