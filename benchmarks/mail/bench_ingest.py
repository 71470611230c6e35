"""Email ingest throughput per worker (parse, thread, store) and big-message parse time.

    .venv/bin/python benchmarks/mail/bench_ingest.py --messages 2000
    .venv/bin/python benchmarks/mail/bench_ingest.py --messages 2000 --replies 0.5 --profile
    .venv/bin/python benchmarks/mail/bench_ingest.py --big-only

A fresh instance in a temporary data folder (SQLite, the embedded default): migrate,
apply the DataFlow pack, seed 200 organisations with a contact each and 200 open email
tickets. Then, in one process (one worker), ``tierdesk.mail.services.ingest`` is timed
over N real MIME messages built beforehand (not timed): a ``--replies`` share are replies
threaded by ``In-Reply-To`` onto the seeded tickets, the rest open new tickets (each
through the tickets service: classification, channel rules, SLA, rules, acknowledgement
queued). Every message is stored raw first, parsed, filed and committed, as the doors do.

``--big`` builds a 16 MB message carrying a 12 MB PDF attachment and times its parse alone
and its whole ingest (stored, parsed, ticket, attachment written byte-exact).
"""

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--replies", type=float, default=0.5,
                   help="share of messages that are threaded replies (default 0.5)")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--big-only", action="store_true", help="only the 16 MB message")
    p.add_argument("--no-big", action="store_true")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--statements", action="store_true",
                   help="print the SQL of one new and one threaded message")
    return p.parse_args()


def setup_instance(data_dir: str) -> None:
    os.environ["TIERDESK_DATA_DIR"] = data_dir
    os.environ.pop("TIERDESK_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR

    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())


def seed(n: int) -> list[tuple[str, str, int]]:
    """Organisations on every plan with a contact each, and one email ticket per contact;
    returns (contact address, thread Message-ID, ticket id)."""
    from tierdesk import clock
    from tierdesk.customers.models import Contact, Organisation
    from tierdesk.mail.models import MailThreadId
    from tierdesk.mail.services import ingest
    from tierdesk.tickets.models import Ticket

    plans = ["Starter", "Professional", "Enterprise"]
    Organisation.objects.bulk_create(
        Organisation(name=f"Org {i}", external_id=f"B{i}", plan=plans[i % 3])
        for i in range(n))
    orgs = list(Organisation.objects.order_by("id"))
    Contact.objects.bulk_create(Contact(organisation=o, name=f"Person {i}",
                                        email=f"person{i}@org{i}.example.com")
                                for i, o in enumerate(orgs))
    threads = []
    for i in range(n):
        mid = f"<seed-{i}@org{i}.example.com>"
        ingest(build(i, f"person{i}@org{i}.example.com", mid, "Reports are late",
                     "Since Monday no report was mailed."), source="seed")
        threads.append((f"person{i}@org{i}.example.com", mid,
                        Ticket.objects.order_by("-id").values_list("id", flat=True).first()))
    assert MailThreadId.objects.count() >= n
    del clock
    return threads


def build(i: int, sender: str, message_id: str, subject: str, body: str,
          in_reply_to: str | None = None) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"Person {i} <{sender}>"
    msg["To"] = "support@dataflow.com"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    msg.add_alternative(f"<p>{body}</p>", subtype="html")
    return msg.as_bytes()


def messages(threads, count: int, replies: float, offset: int) -> list[bytes]:
    out = []
    reply_every = int(1 / replies) if replies else 0
    for k in range(count):
        i = k % len(threads)
        sender, mid, _ = threads[i]
        new_id = f"<bench-{offset + k}@org{i}.example.com>"
        if reply_every and k % reply_every == 0:
            out.append(build(i, sender, new_id, "Re: Reports are late",
                             "Still nothing today.\n\nOn Mon, 30 Nov 2026, Support wrote:\n"
                             "> Please check again.\n", in_reply_to=mid))
        else:
            out.append(build(i, sender, new_id, f"Export {k} fails",
                             f"The CSV export number {k} stops at 80 percent."))
    return out


def statements(threads, show: bool) -> None:
    """The statements of one message of each kind, as the run above ingested them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.mail.services import ingest

    new, reply = messages(threads, 2, 0.5, 20_000_000)[::-1]
    for kind, raw in (("new ticket", new), ("threaded reply", reply)):
        with CaptureQueriesContext(connection) as captured:
            ingest(raw, source="bench")
        sqls = [q["sql"] for q in captured.captured_queries]
        plain = [s for s in sqls if s.split()[0].upper() not in ("BEGIN", "COMMIT")]
        print(f"statements per {kind}: {len(plain)} (and {len(sqls) - len(plain)} BEGIN or "
              "COMMIT)")
        if show:
            for sql in sqls:
                print("   ", sql[:150])


def big_message() -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Person 0 <person0@org0.example.com>"
    msg["To"] = "support@dataflow.com"
    msg["Subject"] = "Full log attached"
    msg["Message-ID"] = "<big-1@org0.example.com>"
    msg.set_content("The 12 MB dump is attached.\n")
    pdf = (b"%PDF-1.7\n" + os.urandom(12 * 1024 * 1024 - 9))
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="dump.pdf")
    return msg.as_bytes()


def main() -> int:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="tierdesk-bench-mail-")
    print(f"load before: {os.getloadavg()}")
    try:
        setup_instance(data_dir)
        from django.conf import settings

        settings.MAIL_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
        from tierdesk.mail.parsing import parse
        from tierdesk.mail.services import ingest

        if not args.big_only:
            threads = seed(200)
            warm = messages(threads, args.warmup, args.replies, 10_000_000)
            for raw in warm:
                ingest(raw, source="bench")
            batch = messages(threads, args.messages, args.replies, 0)
            profiler = cProfile.Profile() if args.profile else None
            cpu0, t0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            outcomes: dict[str, int] = {}
            for raw in batch:
                result = ingest(raw, source="bench")
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(f"ingest: {len(batch)} messages in {wall:.2f} s = "
                  f"{len(batch) / wall:.0f} messages/s per worker; CPU "
                  f"{cpu / len(batch) * 1000:.2f} ms/message; outcomes {outcomes}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            statements(threads, args.statements)
            # The mail layer alone: parsing, and what it adds around the tickets service.
            cpu0, t0 = time.process_time(), time.perf_counter()
            for raw in batch:
                parse(raw)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(f"parse only: {len(batch) / wall:.0f} messages/s; CPU "
                  f"{cpu / len(batch) * 1000:.2f} ms/message")
        if not args.no_big:
            raw = big_message()
            t0 = time.perf_counter()
            parsed = parse(raw)
            parse_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = ingest(raw, source="bench")
            ingest_s = time.perf_counter() - t0
            size = max(len(p.data) for p in parsed.parts)
            print(f"big message: {len(raw) / 1e6:.1f} MB with a {size / 1e6:.1f} MB attachment: "
                  f"parse {parse_s:.2f} s; whole ingest {ingest_s:.2f} s ({result.describe()})")
    finally:
        print(f"load after: {os.getloadavg()}")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"kept {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
