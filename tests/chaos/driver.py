"""Create tickets through the real API with Idempotency-Key retries while the processes
and the database connections are killed under them; then count what the database holds
and what the loopback SMTP server received.

    .venv/bin/python -m tests.chaos.driver --tickets 10000 --rounds 5    # `make chaos`

Each fault round, spread evenly over the run, does in turn: ``kill -9`` one web worker of
each instance (its master starts another), ``kill -9`` a whole web instance and start it
again, ``kill -9`` the Celery worker with its pool and start it again, and on PostgreSQL
``pg_terminate_backend`` every connection the instance holds. A client that loses its
answer (connection reset, 5xx, instance down) retries the same request with the same
key on the next instance until it gets its ticket.
"""

import argparse
import email.utils
import http.client
import itertools
import json
import random
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.scaleout.cluster import Cluster, on_postgres, redis_url


def call(base: str, method: str, path: str, token: str, body: dict | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict]:
    """One API request; (status, JSON body). A lost connection raises OSError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"{}")
        except ValueError:
            return exc.code, {"raw": raw[:200].decode(errors="replace")}


@dataclass
class LoadResult:
    ticket_ids: dict[int, int] = field(default_factory=dict)  # request number -> ticket id
    answers_disagreed: list[int] = field(default_factory=list)  # a retry got another ticket
    retries: int = 0
    failures: Counter = field(default_factory=Counter)  # what made a client retry
    gave_up: list[int] = field(default_factory=list)
    seconds: float = 0.0


def create_tickets(cluster: Cluster, *, count: int, prefix: str, concurrency: int = 8,
                   progress: "threading.Event | None" = None,
                   done_counter: list[int] | None = None,
                   patience: float = 300) -> LoadResult:
    """Open ``count`` tickets, each with its own Idempotency-Key, retrying until answered."""
    result = LoadResult()
    lock = threading.Lock()
    token, requester = cluster.seed["token"], cluster.seed["requester_id"]
    bases = itertools.cycle(range(len(cluster.web)))

    def one(number: int) -> None:
        key = f"{prefix}-{number}"
        body = {"subject": f"{prefix} #{number}", "body": f"Chaos ticket {number}.",
                "requester_id": requester}
        deadline = time.monotonic() + patience
        seen: set[int] = set()
        while time.monotonic() < deadline:
            with lock:
                index = next(bases)
            try:
                status, answer = call(cluster.base(index), "POST", "/api/v1/tickets", token,
                                      body, {"Idempotency-Key": key})
            except (OSError, http.client.HTTPException) as exc:  # the answer is lost
                # (reset, refused, timed out, or cut off mid-body by a killed worker)
                reason = type(exc).__name__
                if isinstance(exc, urllib.error.URLError):
                    reason = type(exc.reason).__name__
                with lock:
                    result.retries += 1
                    result.failures[reason] += 1
                if reason != "ConnectionRefusedError":  # a down instance: try the next now
                    time.sleep(random.uniform(0.05, 0.3))
                else:
                    time.sleep(0.01)
                continue
            if status in (200, 201):
                seen.add(answer["id"])
                with lock:
                    result.ticket_ids[number] = answer["id"]
                    if len(seen) > 1:
                        result.answers_disagreed.append(number)
                    if done_counter is not None:
                        done_counter[0] += 1
                return
            with lock:
                result.retries += 1
                result.failures[f"HTTP {status}"] += 1
            if status < 500 and status not in (409, 429):
                raise AssertionError(f"ticket {number}: HTTP {status} {answer}")
            time.sleep(random.uniform(0.05, 0.3))
        with lock:
            result.gave_up.append(number)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    result.seconds = time.monotonic() - started
    return result


def fault_round(cluster: Cluster, log: list[str]) -> None:
    """One of each fault, in turn, with the load running."""
    for index in range(len(cluster.web)):
        pid = cluster.kill_web_worker(index)
        log.append(f"kill -9 web worker {pid} of web{index}")
    time.sleep(1.0)
    victim = random.randrange(len(cluster.web))
    took = cluster.restart_web(victim)
    log.append(f"kill -9 web{victim} (master and workers); restarted, /healthz in {took:.1f}s")
    for index in range(len(cluster.worker_procs)):
        cluster.restart_worker(index)
        log.append(f"kill -9 Celery worker{index} with its pool; restarted")
    if cluster.database == "postgres":
        cut = cluster.cut_database()
        log.append(f"pg_terminate_backend on {cut} connection(s)")


def received_ids(cluster: Cluster) -> Counter:
    """How many times the loopback SMTP server accepted each outbox message."""
    counts: Counter = Counter()
    for message in cluster.smtp.messages:
        ident = email.utils.unquote(message["Message-ID"] or "").split("@")[0]
        if ident.startswith("outbox-"):  # mail about no ticket
            counts[int(ident.removeprefix("outbox-"))] += 1
        elif ident.startswith("tierdesk."):  # a ticket's mail: tierdesk.TICKET.OUTBOX.TOKEN
            counts[int(ident.split(".")[2])] += 1
    return counts


def wait_delivered(cluster: Cluster, prefix: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        report = cluster.audit(prefix)
        states = report["outbox_states"]
        if not states.get("pending") or time.monotonic() > deadline:
            return report
        time.sleep(1)


def run_chaos(root: Path, *, database: str, tickets: int, rounds: int, concurrency: int = 8,
              broker_url: str | None = None, say=print) -> dict:
    """Start a cluster, run the load with ``rounds`` fault rounds, and report."""
    cluster = Cluster(root, database=database, broker_url=broker_url or redis_url(),
                      instances=2 if database == "postgres" else 1, web_workers=2,
                      workers=1, worker_concurrency=1)
    prefix = f"chaos {uuid.uuid4().hex[:6]}"
    faults: list[str] = []
    try:
        cluster.start()
        say(f"cluster up in {cluster.timings['up']:.0f}s: {len(cluster.web)} web instance(s) "
            f"x 2 workers, 1 Celery worker, beat, {database}")
        done = [0]
        box: dict = {}
        def load() -> None:
            try:
                box["result"] = create_tickets(cluster, count=tickets, prefix=prefix,
                                               concurrency=concurrency, done_counter=done)
            except BaseException as exc:  # re-raised below, in the caller's thread
                box["error"] = exc

        loader = threading.Thread(target=load)
        loader.start()
        for n in range(rounds):
            mark = tickets * (n + 1) // (rounds + 1)
            while done[0] < mark and loader.is_alive():
                time.sleep(0.05)
            if not loader.is_alive():
                break
            say(f"round {n + 1} at {done[0]} tickets")
            fault_round(cluster, faults)
        loader.join()
        if "error" in box:
            raise box["error"]
        result: LoadResult = box["result"]
        say(f"{len(result.ticket_ids)} answered in {result.seconds:.0f}s, {result.retries} retries")
        # Delivery runs behind the creates on a busy machine (one worker, one SMTP
        # connection per mail): give it time in proportion to the backlog.
        report = wait_delivered(cluster, prefix, timeout=max(120.0, tickets * 0.25))
        received = received_ids(cluster)
        outbox_ids = report.pop("outbox_ids")
        report.update({
            "requested": tickets,
            "answered": len(result.ticket_ids),
            "distinct_ticket_ids_answered": len(set(result.ticket_ids.values())),
            "answers_disagreed": result.answers_disagreed[:20],
            "gave_up": result.gave_up[:20],
            "retries": result.retries,
            "retry_causes": dict(result.failures),
            "load_seconds": round(result.seconds, 1),
            "faults": faults,
            "mail_received_distinct": len(set(received) & set(outbox_ids)),
            "mail_never_received": sorted(set(outbox_ids) - set(received))[:20],
            "mail_received_twice": sorted(i for i, n in received.items() if n > 1),
            "mail_unknown": sorted(set(received) - set(outbox_ids))[:20],
        })
        return report
    finally:
        cluster.stop()


def verdict(report: dict) -> list[str]:
    """What broke a promise; empty when the run kept every one."""
    n = report["requested"]
    problems = []
    for key, expected in (("answered", n), ("distinct_ticket_ids_answered", n), ("tickets", n),
                          ("distinct_subjects", n), ("created_events", n),
                          ("outbox_mail", n), ("mail_received_distinct", n)):
        if report[key] != expected:
            problems.append(f"{key}: {report[key]} (expected {expected})")
    for key in ("answers_disagreed", "gave_up", "subjects_twice",
                "tickets_without_one_created_event", "tickets_without_one_message",
                "tickets_without_one_idempotency_key", "tickets_without_one_ack_mail",
                "mail_never_received", "mail_unknown"):
        if report[key]:
            problems.append(f"{key}: {report[key]}")
    if report["outbox_states"] != {"delivered": n}:
        problems.append(f"outbox states: {report['outbox_states']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", choices=["postgres", "sqlite"],
                        default="postgres" if on_postgres() else "sqlite")
    parser.add_argument("--broker", default=None, help="broker URL (default: Redis DB 15)")
    args = parser.parse_args()
    # Stopped with SIGTERM, still stop the cluster (its processes run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="tierdesk-chaos-") as tmp:
        report = run_chaos(Path(tmp), database=args.database, tickets=args.tickets,
                           rounds=args.rounds, concurrency=args.concurrency,
                           broker_url=args.broker, say=lambda s: print(s, flush=True))
    print(json.dumps(report, indent=1))
    problems = verdict(report)
    for problem in problems:
        print("FAILED:", problem)
    if not problems:
        print(f"OK: {report['tickets']} tickets, none twice, one created event each, "
              f"{report['mail_received_distinct']} acknowledgements received "
              f"({len(report['mail_received_twice'])} received twice)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
