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

Reports p50/p95/p99 in ms and the load average before and after (the machine is shared).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-name", default="tierdesk_kb")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-dir", default="", help="SQLite: reuse this data folder")
    args = parser.parse_args()
    configure(args)

    from django.core.management import call_command
    from django.db import connection

    from tests.factories import CustomerContactFactory, OrganisationFactory, UserFactory
    from tests.kb.corpus import QUESTIONS, TOPICS, seed_kb
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
    org = OrganisationFactory(name="Bench Org", plan="Enterprise")
    contact = CustomerContactFactory(organisation=org, user=UserFactory(username="bench-kb"))
    from tierdesk.kb import policy

    languages = policy.languages()
    viewer = viewer_for(contact.user)

    search_ms: list[float] = []
    for _ in range(args.rounds):
        for language, question, _key in QUESTIONS:
            t0 = time.perf_counter()
            search_articles(query=question, language=language, public=True, limit=10)
            search_ms.append((time.perf_counter() - t0) * 1000)
    # The bot answers in the pack's languages (DataFlow: en, es, fr); urgent ones hand off.
    answerable = [(lang, q) for lang, q, _ in QUESTIONS
                  if lang in languages and not bot.urgent_reason(q)]
    outcomes: dict[str, int] = {}
    bot_ms: list[float] = []
    for _ in range(args.rounds):
        for language, question in answerable:
            t0 = time.perf_counter()
            conversation = bot.bot_ask(viewer=viewer, question=question, language=language)
            bot_ms.append((time.perf_counter() - t0) * 1000)
            outcomes[conversation.outcome] = outcomes.get(conversation.outcome, 0) + 1
    load_after = os.getloadavg()
    versions = Article.objects.count() * 4
    print(f"db={args.db} articles={Article.objects.count()} versions={versions} "
          f"seeded in {seeded:.1f}s")
    for name, values in (("search", search_ms), ("bot answer", bot_ms)):
        print(f"{name:>10}: n={len(values)} p50={statistics.median(values):.2f} ms "
              f"p95={percentile(values, 95):.2f} ms p99={percentile(values, 99):.2f} ms "
              f"max={max(values):.2f} ms")
    print(f"bot outcomes: {outcomes}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
