"""Create tickets through the real API with Idempotency-Key retries, and send inbound mail
to the mail hook (retried with the same Message-ID), while the processes and the database
connections are killed under them; then count what the database holds and what the
loopback SMTP server received.

    .venv/bin/python -m tests.chaos.driver --tickets 10000 --mails 1000 --rounds 5  # `make chaos`

Each fault round, spread evenly over the run, does in turn: ``kill -9`` one web worker of
each instance (its master starts another), ``kill -9`` a whole web instance and start it
again, ``kill -9`` the Celery worker with its pool and start it again, and on PostgreSQL
``pg_terminate_backend`` every connection the instance holds. A client that loses its
answer (connection reset, 5xx, instance down) retries the same request with the same
key on the next instance until it gets its ticket; a mail whose answer is lost is posted
again, the same bytes, as a mail provider's retrying webhook would.
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
    mail_outcomes: Counter = field(default_factory=Counter)  # the hook's final answers
    seconds: float = 0.0


INBOUND_SECRET = "chaos-inbound-secret"
RECOVER_AFTER = 10  # seconds (TIERDESK_MAIL_RECOVER_AFTER; 300 in production)
INBOUND_PATH = "/api/v1/channels/email/inbound"


def inbound_mail(prefix: str, run: str, number: int) -> bytes:
    """The raw message a customer's mail client would send; its Message-ID is its key."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Casey Customer <casey@example.test>"
    msg["To"] = "support@example.test"
    msg["Subject"] = f"{prefix} #{number}"
    msg["Date"] = email.utils.formatdate(usegmt=True)
    msg["Message-ID"] = mail_message_id(run, number)
    msg.set_content(f"Chaos mail {number}: the export stopped again.")
    return msg.as_bytes()


def mail_message_id(run: str, number: int) -> str:
    return f"<chaos-{run}-{number}@customer.example.test>"


def post_mail(base: str, raw: bytes, timeout: float = 30) -> tuple[int, dict]:
    """One delivery to the inbound hook; (status, JSON body). A lost connection raises."""
    request = urllib.request.Request(base + INBOUND_PATH, data=raw, method="POST")
    request.add_header("Content-Type", "message/rfc822")
    request.add_header("X-Tierdesk-Inbound-Secret", INBOUND_SECRET)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw_answer = exc.read()
        try:
            return exc.code, json.loads(raw_answer or b"{}")
        except ValueError:
            return exc.code, {"raw": raw_answer[:200].decode(errors="replace")}


def create_tickets(cluster: Cluster, *, count: int, prefix: str, concurrency: int = 8,
                   progress: "threading.Event | None" = None,
                   done_counter: list[int] | None = None,
                   patience: float = 300, mails: int = 0, mail_prefix: str = "",
                   run: str = "") -> LoadResult:
    """Open ``count`` tickets, each with its own Idempotency-Key, and post ``mails``
    inbound mails, each with its own Message-ID, mixed in one load; retry each until
    answered."""
    result = LoadResult()
    lock = threading.Lock()
    token, requester = cluster.seed["token"], cluster.seed["requester_id"]
    bases = itertools.cycle(range(len(cluster.web)))

    def api_request(base: str, number: int) -> tuple[int, dict]:
        body = {"subject": f"{prefix} #{number}", "body": f"Chaos ticket {number}.",
                "requester_id": requester}
        return call(base, "POST", "/api/v1/tickets", token, body,
                    {"Idempotency-Key": f"{prefix}-{number}"})

    def one(job: tuple[str, int]) -> None:
        kind, number = job
        raw = inbound_mail(mail_prefix, run, number) if kind == "mail" else b""
        deadline = time.monotonic() + patience
        seen: set[int] = set()
        while time.monotonic() < deadline:
            with lock:
                index = next(bases)
            base = cluster.base(index)
            try:
                if kind == "mail":
                    status, answer = post_mail(base, raw)
                else:
                    status, answer = api_request(base, number)
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
            if kind == "mail" and status == 200:
                # "created", or "duplicate" when an earlier try was filed but its answer lost
                with lock:
                    result.mail_outcomes[answer["outcome"]] += 1
                    if done_counter is not None:
                        done_counter[0] += 1
                return
            if kind == "api" and status in (200, 201):
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
                result.failures[f"{kind} HTTP {status}"] += 1
            # A mail the hook stored but could not file answers 422 (it waits in the
            # failed-mail store); a provider retries it like any other error.
            if status < 500 and status not in (409, 422, 429):
                raise AssertionError(f"{kind} {number}: HTTP {status} {answer}")
            time.sleep(random.uniform(0.05, 0.3))
        with lock:
            result.gave_up.append(number if kind == "api" else -1 - number)

    jobs = [("api", n) for n in range(count)] + [("mail", n) for n in range(mails)]
    random.Random(count * 7919 + mails).shuffle(jobs)  # mail arrives between the creates
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
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


def wait_delivered(cluster: Cluster, prefix: str, timeout: float,
                   mail_prefix: str = "") -> tuple[dict, dict]:
    """Wait until no acknowledgement of the run is pending (or ``timeout``); return the
    audit of the API tickets and of the mail tickets."""
    deadline = time.monotonic() + timeout
    while True:
        report = cluster.audit(prefix)
        mail_report = cluster.audit(mail_prefix, keyed=False) if mail_prefix else {}
        pending = (report["outbox_states"].get("pending", 0)
                   + mail_report.get("outbox_states", {}).get("pending", 0))
        if not pending or time.monotonic() > deadline:
            return report, mail_report
        time.sleep(1)


def run_chaos(root: Path, *, database: str, tickets: int, rounds: int, concurrency: int = 8,
              broker_url: str | None = None, say=print, mails: int = 0) -> dict:
    """Start a cluster, run the load (``tickets`` API creates and ``mails`` inbound mails)
    with ``rounds`` fault rounds, and report."""
    cluster = Cluster(root, database=database, broker_url=broker_url or redis_url(),
                      instances=2 if database == "postgres" else 1, web_workers=2,
                      workers=1, worker_concurrency=1,
                      extra_env={"TIERDESK_MAIL_INBOUND_SECRET": INBOUND_SECRET,
                                 # mail stored by a killed worker is filed by the sweep
                                 "TIERDESK_MAIL_RECOVER_AFTER": str(RECOVER_AFTER)})
    run = uuid.uuid4().hex[:6]
    prefix, mail_prefix = f"chaos {run} api", f"chaos {run} mail"
    total = tickets + mails
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
                                               concurrency=concurrency, done_counter=done,
                                               mails=mails, mail_prefix=mail_prefix, run=run)
            except BaseException as exc:  # re-raised below, in the caller's thread
                box["error"] = exc

        loader = threading.Thread(target=load)
        loader.start()
        for n in range(rounds):
            mark = total * (n + 1) // (rounds + 1)
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
        say(f"{len(result.ticket_ids)} creates and {sum(result.mail_outcomes.values())} mails "
            f"answered in {result.seconds:.0f}s, {result.retries} retries")
        # Delivery runs behind the creates on a busy machine (one worker, one SMTP
        # connection per mail): give it time in proportion to the backlog.
        wait = max(120.0, total * 0.25)
        if mails:  # mail stored by a killed worker: filed by the sweep after RECOVER_AFTER
            wait_recovered(cluster, run, timeout=wait)
        report, mail_report = wait_delivered(cluster, prefix, timeout=wait,
                                             mail_prefix=mail_prefix if mails else "")
        received = received_ids(cluster)
        outbox_ids = report.pop("outbox_ids") + mail_report.pop("outbox_ids", [])
        if mails:
            mail_report.update(inbound_report(cluster, run))
            mail_report["hook_answers"] = dict(result.mail_outcomes)
        report.update({
            "mails": mails,
            "mail_in": mail_report,
            "requested": tickets,
            "answered": len(result.ticket_ids),
            "distinct_ticket_ids_answered": len(set(result.ticket_ids.values())),
            "answers_disagreed": result.answers_disagreed[:20],
            "gave_up": result.gave_up[:20],
            "retries": result.retries,
            "retry_causes": dict(result.failures),
            "load_seconds": round(result.seconds, 1),
            "faults": faults,
            "acks_expected": len(outbox_ids),
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
                          ("outbox_mail", n),
                          ("mail_received_distinct", n + report.get("mails", 0))):
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
    if report.get("mails"):
        problems += [f"inbound mail: {p}" for p in mail_verdict(report["mail_in"],
                                                                 report["mails"])]
    return problems


def wait_recovered(cluster: Cluster, run: str, timeout: float) -> None:
    """Wait until none of the run's stored mail is left unfiled (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not inbound_report(cluster, run)["inbound_outcomes"].get("unprocessed"):
            return
        time.sleep(1)


def inbound_report(cluster: Cluster, run: str) -> dict:
    """What the mail store holds for the run's Message-IDs: how each was filed."""
    db = cluster.database_handle()
    try:
        rows = db.rows("SELECT message_id, outcome, COUNT(*) FROM mail_inboundmail "
                       "WHERE message_id LIKE %s GROUP BY message_id, outcome",
                       (f"<chaos-{run}-%",))
    finally:
        db.close()
    created: Counter = Counter()
    outcomes: Counter = Counter()
    for message_id, outcome, n in rows:
        outcomes[outcome or "unprocessed"] += n
        if outcome == "created":
            created[message_id] += n
    ids = {r[0] for r in rows}
    return {
        "inbound_messages": len(ids),
        "inbound_outcomes": dict(outcomes),
        "message_ids_filed_twice": sorted(m for m, n in created.items() if n > 1)[:20],
        "message_ids_never_filed": sorted(ids - set(created))[:20],
    }


def mail_verdict(mail: dict, n: int) -> list[str]:
    """The inbound mail's promises: one ticket per Message-ID, whatever was retried."""
    problems = []
    for key, expected in (("tickets", n), ("distinct_subjects", n), ("created_events", n),
                          ("inbound_messages", n), ("outbox_mail", n)):
        if mail[key] != expected:
            problems.append(f"{key}: {mail[key]} (expected {expected})")
    for key in ("subjects_twice", "tickets_without_one_created_event",
                "tickets_without_one_message", "tickets_without_one_ack_mail",
                "message_ids_filed_twice", "message_ids_never_filed"):
        if mail[key]:
            problems.append(f"{key}: {mail[key]}")
    if mail["outbox_states"] != {"delivered": n}:
        problems.append(f"outbox states: {mail['outbox_states']}")
    # Every stored copy filed: the one that opened the ticket, the others as duplicates
    # of its Message-ID; none left unfiled, none in the failed-mail store.
    left = {k: v for k, v in mail["inbound_outcomes"].items()
            if k not in ("created", "duplicate")}
    if left:
        problems.append(f"stored mail not filed: {left}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--mails", type=int, default=1_000,
                        help="inbound mails posted to the mail hook among the creates")
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
                           broker_url=args.broker, say=lambda s: print(s, flush=True),
                           mails=args.mails)
    print(json.dumps(report, indent=1))
    problems = verdict(report)
    for problem in problems:
        print("FAILED:", problem)
    if not problems:
        print(f"OK: {report['tickets']} tickets by the API and "
              f"{report['mail_in'].get('tickets', 0)} by mail, none twice, one created event "
              "each, "
              f"{report['mail_received_distinct']} acknowledgements received "
              f"({len(report['mail_received_twice'])} received twice)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
