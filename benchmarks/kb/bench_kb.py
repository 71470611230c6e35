"""Knowledge-base search and L0 bot answer time over 10,000 published articles.

    .venv/bin/python benchmarks/kb/bench_kb.py --db sqlite
    .venv/bin/python benchmarks/kb/bench_kb.py --db postgres --pg-name tierdesk_kb

Steps: a fresh instance (temp data folder, or the named PostgreSQL database migrated in
place, its KB tables emptied); the DataFlow pack applied; the evaluation's 31 topic
articles plus generated look-alikes up to ``--articles`` (four language versions each,
every tenth look-alike internal), indexed by the real services' index writer; then, in
process and sequentially:

1. ``search``: ``kb.selectors.search_articles`` for the evaluation's 64 questions in
   their languages, as a customer (published public only), top 10;
2. ``bot``: ``kb.bot.bot_ask`` as a customer (search + the conversation's row written),
   for the same questions less the ones the pack hands off at once.

Reports, per call, this process's CPU time (p50/p95/p99; SQLite runs in process), the
SQL statements run, PostgreSQL's server CPU (mean), the wall time, recall@3 at this size
(the evaluation's figure, over all the look-alikes) and the load average before and
after (on a shared machine the wall time mostly measures waiting for a core).

``--data-dir DIR`` (SQLite) or the same ``--pg-name`` reuses an instance already seeded
with ``--articles`` articles (pending migrations are applied; the KB is kept).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.server_cpu import backend_pid, process_cpu  # noqa: E402  (ROOT first)


def configure(args) -> None:
    for key in [k for k in os.environ if k.startswith("TIERDESK_")]:
        del os.environ[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    os.environ["TIERDESK_LOG_LEVEL"] = "WARNING"
    os.environ["TIERDESK_DATA_DIR"] = args.data_dir or tempfile.mkdtemp(prefix="tierdesk-bench-kb-")
    if args.db == "postgres":
        os.environ["TIERDESK_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_name}"
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Samples:
    """Per call: wall time, this process's CPU time (``time.process_time``: SQLite runs
    in process, so it holds the database's work too), the SQL statements it ran and, on
    PostgreSQL, the server process's CPU (read from /proc in 10 ms ticks, so only its
    mean over all calls is meaningful)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.statements: list[int] = []
        self.server_cpu = 0.0
        self.by_question: dict[str, list[float]] = {}

    @contextmanager
    def measure(self, pid: int | None, question: str):
        from django.db import connection

        count = [0]

        def counting(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        server0 = process_cpu(pid)
        with connection.execute_wrapper(counting):
            w0, c0 = time.perf_counter(), time.process_time()
            yield
            cpu = (time.process_time() - c0) * 1000
            self.wall.append((time.perf_counter() - w0) * 1000)
        self.server_cpu += process_cpu(pid) - server0
        self.cpu.append(cpu)
        self.statements.append(count[0])
        self.by_question.setdefault(question, []).append(cpu)

    def report(self, server: bool) -> None:
        n = len(self.cpu)
        print(f"{self.name:>10}: n={n} CPU p50={statistics.median(self.cpu):.2f} ms "
              f"p95={percentile(self.cpu, 95):.2f} ms p99={percentile(self.cpu, 99):.2f} ms "
              f"mean={statistics.fmean(self.cpu):.2f} ms; statements per call "
              f"mean={statistics.fmean(self.statements):.1f} max={max(self.statements)}")
        if server:
            print(f"{'':>10}  PostgreSQL server CPU mean={self.server_cpu / n * 1000:.2f} ms"
                  " per call")
        print(f"{'':>10}  wall p50={statistics.median(self.wall):.2f} ms "
              f"p95={percentile(self.wall, 95):.2f} ms p99={percentile(self.wall, 99):.2f} ms "
              f"max={max(self.wall):.2f} ms (shared machine: see the load average)")

    def slowest(self, n: int) -> list[tuple[str, float]]:
        means = {q: statistics.fmean(v) for q, v in self.by_question.items()}
        return sorted(means.items(), key=lambda kv: -kv[1])[:n]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-name", default="tierdesk_kb")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-dir", default="", help="SQLite: reuse this data folder")
    parser.add_argument("--slowest", type=int, default=0,
                        help="also list the N questions whose search costs the most CPU")
    args = parser.parse_args()
    configure(args)

    from django.core.management import call_command
    from django.db import connection

    from tests.factories import CustomerContactFactory, OrganisationFactory, UserFactory
    from tests.kb.corpus import QUESTIONS, TOPICS, seed_kb
    from tierdesk.customers.models import Contact
    from tierdesk.kb import bot
    from tierdesk.kb.models import Article, BotConversation
    from tierdesk.kb.selectors import search_articles
    from tierdesk.packs.services import pack_apply
    from tierdesk.people.access import viewer_for
    from tierdesk.policy import PACKS_DIR

    load_before = os.getloadavg()
    call_command("migrate", interactive=False, verbosity=0)
    BotConversation.objects.all().delete()
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    seeded = 0.0
    if Article.objects.count() != args.articles:  # a reused instance keeps its KB
        Article.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_kb_articles")
        started = time.perf_counter()
        seed_kb(distractor_count=args.articles - len(TOPICS), internal_every=10)
        seeded = time.perf_counter() - started
    from tierdesk.kb.search import ARTICLES
    from tierdesk.search.backends import optimise

    optimise(ARTICLES)
    if connection.vendor == "postgresql":
        # What autovacuum does on a live server: without it the planner takes the freshly
        # seeded KB tables for empty and checks every article against the question.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # A reused instance already has the bench customer.
    user = UserFactory(username="bench-kb")
    contact = Contact.objects.filter(user=user).first() or CustomerContactFactory(
        organisation=OrganisationFactory(name="Bench Org", external_id="BENCH-KB",
                                         plan="Enterprise"), user=user)
    from tierdesk.kb import policy

    languages = policy.languages()
    viewer = viewer_for(contact.user)

    pid = backend_pid()
    # seed_kb writes the topics first, in order: the answers are the lowest ids.
    first = Article.objects.order_by("pk").values_list("pk", flat=True)[: len(TOPICS)]
    answers = dict(zip(TOPICS, first, strict=True))
    found: dict[str, list[bool]] = {}
    search = Samples("search")
    for _ in range(args.rounds):
        for language, question, key in QUESTIONS:
            with search.measure(pid, question):
                hits = search_articles(query=question, language=language, public=True,
                                       limit=10)
            found.setdefault(language, []).append(
                answers[key] in [h.article.pk for h in hits[:3]])
    # The bot answers in the pack's languages (DataFlow: en, es, fr); urgent ones hand off.
    answerable = [(lang, q) for lang, q, _ in QUESTIONS
                  if lang in languages and not bot.urgent_reason(q)]
    outcomes: dict[str, int] = {}
    answer = Samples("bot answer")
    for _ in range(args.rounds):
        for language, question in answerable:
            with answer.measure(pid, question):
                conversation = bot.bot_ask(viewer=viewer, question=question, language=language)
            outcomes[conversation.outcome] = outcomes.get(conversation.outcome, 0) + 1
    load_after = os.getloadavg()
    versions = Article.objects.count() * 4
    print(f"db={args.db} articles={Article.objects.count()} versions={versions} "
          f"seeded in {seeded:.1f}s")
    for samples in (search, answer):
        samples.report(pid is not None)
    if args.slowest:
        print(f"slowest {args.slowest} questions by search CPU (mean ms over the rounds):")
        for question, cpu in search.slowest(args.slowest):
            print(f"  {cpu:7.2f}  {question}")
    recall = {lang: sum(v) / len(v) for lang, v in sorted(found.items())}
    overall = sum(sum(v) for v in found.values()) / sum(len(v) for v in found.values())
    print(f"recall@3 at this size: overall {overall:.3f}; "
          + ", ".join(f"{lang} {r:.3f}" for lang, r in recall.items()))
    print(f"bot outcomes: {outcomes}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
