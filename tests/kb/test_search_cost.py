"""What an article search costs follows the searcher's language and the question's good
matches, not the size of the knowledge base, and what it keeps is ranked as before:

- the full-text match itself keeps to one language (the index's key field);
- a question's common words ("data", "connection": in every look-alike here) do not
  widen what is ranked: only versions holding one of its rarer words are, each scored
  by all of its words;
- a search runs the same few statements whatever it finds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.kb.corpus import seed_kb
from tierdesk.kb.search import ARTICLES
from tierdesk.kb.selectors import search_articles
from tierdesk.search import backends, query

QUESTION = "my database connection says the password or username is wrong"


@pytest.fixture
def kb(db):
    return seed_kb(distractor_count=40)


def _matches(words, *, language=None, prefixes=()):
    where, _, params, _ = backends.match(ARTICLES, words, internal=True, any_word=True,
                                         partition=language, prefixes=prefixes)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ARTICLES.table} WHERE {where}", params)
        return cursor.fetchone()[0]


def test_the_match_keeps_to_the_searchers_language(kb):
    # API-4004's code is written the same in its four versions.
    assert _matches(["api4004"]) == 4
    assert _matches(["api4004"], language="es") == 1
    # The language is never matched as a word: "es" is a Spanish stop word, not a filter.
    assert _matches(["es"]) == 0


def test_common_words_do_not_widen_what_is_ranked(kb, monkeypatch):
    """41 English versions hold "connection" (the 40 look-alikes and the DS-1002 answer):
    with a window of 20, only the versions holding one of the question's rarer words
    are ranked, and the answer is still among the first three."""
    assert _matches(["connecti"], language="en", prefixes={"connecti"}) > 20
    everything = search_articles(query=QUESTION, language="en", public=True, limit=100)
    monkeypatch.setattr(query, "RANK_WINDOW", 20)
    narrowed = search_articles(query=QUESTION, language="en", public=True, limit=100)

    assert len(everything) > 40 and len(narrowed) < 10
    assert kb["ds1001"] in [h.article.pk for h in narrowed[:3]]
    assert all(h.article.category != "general" for h in narrowed)  # no look-alike left


def test_what_is_kept_is_ranked_and_scored_as_before(kb, monkeypatch):
    everything = search_articles(query=QUESTION, language="en", public=True, limit=100)
    monkeypatch.setattr(query, "RANK_WINDOW", 20)
    narrowed = search_articles(query=QUESTION, language="en", public=True, limit=100)

    kept = {h.translation.pk for h in narrowed}
    before = [(h.translation.pk, h.score) for h in everything if h.translation.pk in kept]
    after = [(h.translation.pk, h.score) for h in narrowed]
    assert [pk for pk, _ in after] == [pk for pk, _ in before]
    assert [s for _, s in after] == pytest.approx([s for _, s in before])


def test_the_rarest_words_are_chosen_while_their_matches_fit_the_window(kb):
    words = ["connecti", "passwo", "userna"]
    prefixes = set(words)
    chosen = query.selective_words(ARTICLES, words, internal=True, prefixes=prefixes,
                                   partition="en", window=20)
    assert sorted(chosen) == ["passwo", "userna"]  # rarest first
    assert query.selective_words(ARTICLES, words, internal=True, prefixes=prefixes,
                                 partition="en", window=10_000) is None  # all fit: no cut
    assert query.selective_words(ARTICLES, ["connecti"], internal=True, prefixes=prefixes,
                                 partition="en", window=20) == []  # too common alone


def test_narrowing_without_a_language_keeps_the_same_scores(kb, monkeypatch):
    """The search module also narrows an index without a key field (SQLite: by rowid)."""
    words = ["connecti", "passwo", "userna"]
    options = {"internal": True, "any_word": True, "prefixes": set(words), "limit": 100,
               "table": '"kb_translation"', "where": "t.language = %s", "params": ["en"],
               "words": words}
    plain = dict(_rows(query.ranked_ids_sql(ARTICLES, "", **options)))
    narrowed = dict(_rows(query.ranked_ids_sql(ARTICLES, "", narrow=["passwo", "userna"],
                                               **options)))
    assert narrowed and len(narrowed) < len(plain)
    assert narrowed == pytest.approx({pk: plain[pk] for pk in narrowed})


def _rows(built):
    sql, params = built
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.parametrize("question", [QUESTION, "DS-1002 when connecting, is it our firewall?"])
def test_a_search_runs_the_same_few_statements_whatever_it_finds(kb, question):
    with CaptureQueriesContext(connection) as ran:
        hits = search_articles(query=question, language="en", public=True, limit=10)
    assert len(hits) == 10
    # Words counted, then versions ranked and loaded (and the error code's own ranking).
    assert len(ran) == (3 if "DS-" in question else 2)


def test_the_bot_reads_the_pack_once_and_writes_its_answer_once(transactional_db, kb, team,
                                                               dataflow):
    """Outside a transaction (as a request runs) every read of the pack asks whether one
    was applied since: one cheap read; the pack itself is kept by the process."""
    from tierdesk.kb import bot
    from tierdesk.kb.models import BotConversation
    from tierdesk.people.access import viewer_for

    customer = viewer_for(team.customer.user)
    bot.bot_ask(viewer=customer, question=QUESTION, language="en")  # the pack parsed once
    with CaptureQueriesContext(connection) as ran:
        asked = bot.bot_ask(viewer=customer, question=QUESTION, language="en")
    sql = [q["sql"] for q in ran]
    assert asked.outcome == BotConversation.Outcome.OPEN and asked.articles
    assert sum("tierdesk_generation" in s for s in sql) == 1
    assert sum("packs_policypackversion" in s for s in sql) == 0
    assert sum(s.startswith(("INSERT", "UPDATE")) for s in sql) == 1
    assert asked.transcript[-1]["articles"][0]["title"]  # the articles offered, in one row
