"""Reads of the knowledge base: article search for customers, the bot and agents,
suggestions for a ticket, task lists. Visibility is decided here, once:

- customers and the bot (``public=True``) see published, public articles only;
- agents see internal articles too, and drafts where they ask for them.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.kb.models import Article, KbTask, Translation
from tierdesk.kb.search import ARTICLES
from tierdesk.kb.words import question_words
from tierdesk.search import text
from tierdesk.search.query import ranked_ids_sql, selective_words

CODE_IN_TEXT = re.compile(r"\b([A-Za-z]{1,8}-\d{2,6})\b")


@dataclass(frozen=True)
class Hit:
    translation: Translation
    score: float
    by_code: bool  # the article is linked to an error code the question names

    @property
    def article(self) -> Article:
        return self.translation.article


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def error_codes_in(question: str) -> list[str]:
    found: list[str] = []
    for raw in CODE_IN_TEXT.findall(question):
        code = raw.upper()
        if code not in found:
            found.append(code)
    return found


def _scope(*, language: str, public: bool, statuses: tuple[str, ...]) -> tuple[str, list]:
    article = _q(Article._meta.db_table)
    where = (f"t.language = %s AND t.article_id IN (SELECT a.id FROM {article} a"
             f" WHERE a.status IN ({', '.join(['%s'] * len(statuses))})")
    params: list = [language, *statuses]
    if public:
        where += " AND a.visibility = %s"
        params.append(Article.Visibility.PUBLIC)
    return where + ")", params


@cache
def _hit_columns() -> tuple[prepared.Columns, prepared.Columns, str]:
    versions = prepared.Columns(Translation, "tv")
    articles = prepared.Columns(Article, "av")
    joins = (f" INNER JOIN {_q(Translation._meta.db_table)} tv ON tv.id = hits.id"
             f" INNER JOIN {_q(Article._meta.db_table)} av ON av.id = tv.article_id")
    return versions, articles, joins


def _ranked(words: list[str], prefixes: set[str], *, language: str, public: bool,
            statuses: tuple[str, ...], limit: int,
            narrow: bool) -> list[tuple[Translation, float]]:
    """Rank the versions in ``language`` holding any of ``words``; with ``narrow``, only
    those holding one of the question's selective words (``query.selective_words``).
    The hits come back loaded with their article, in the ranking's own statement."""
    if not language:
        return []  # no version is in no language (and an empty partition is no query)
    where, params = _scope(language=language, public=public, statuses=statuses)
    selective = selective_words(ARTICLES, words, internal=True, prefixes=prefixes,
                                partition=language) if narrow else None
    built = ranked_ids_sql(
        ARTICLES, "", words=words, prefixes=prefixes, any_word=True, internal=True,
        table=_q(Translation._meta.db_table), alias="t", where=where, params=params,
        limit=limit, partition=language, narrow=selective)
    if built is None:
        return []
    versions, articles, joins = _hit_columns()
    sql = (f"SELECT hits.score, {versions.sql}, {articles.sql} FROM ({built[0]}) hits{joins}"
           f" ORDER BY hits.score, hits.id DESC")
    out = []
    for row in prepared.fetch_all(sql, built[1]):
        version = versions.build(row, 1)
        version.article = articles.build(row, 1 + versions.width)
        out.append((version, float(row[0])))
    return out


def search_articles(*, query: str, language: str, public: bool, limit: int = 10,
                    statuses: tuple[str, ...] = (Article.Status.PUBLISHED,)) -> list[Hit]:
    """Return the best language versions for ``query`` in ``language``, best first.

    1. Articles linked to an error code the query names (matched whole: DS-1001 never
       finds DS-1002) come first.
    2. Then the full-text ranking of the question's words (any of them, stop words
       dropped, long words by their stem), title above codes above body, over the
       versions in ``language`` that hold one of its selective words: the cost follows
       the question's good matches, not the size of the KB (``query.selective_words``).
    """
    codes = error_codes_in(query)
    code_words = [w for c in codes for w in text.words(c)]
    by_code: list[tuple[Translation, float]] = []
    if code_words:
        # An error code is in a handful of articles: rank them all, no counting.
        by_code = _ranked(code_words, set(), language=language, public=public,
                          statuses=statuses, limit=limit, narrow=False)
    words, prefixes = question_words(query, language)
    ranked = _ranked(words, prefixes, language=language, public=public, statuses=statuses,
                     limit=limit + len(by_code), narrow=True) if words else []
    linked, rest, seen = [], [], set()
    for version, score in by_code + ranked:
        if version.pk in seen:
            continue
        seen.add(version.pk)
        if set(codes) & set(version.article.error_codes):
            linked.append(Hit(version, score, True))
        else:
            rest.append(Hit(version, score, False))
    return (linked + rest)[:limit]


def ticket_suggestions(*, ticket, limit: int = 5) -> list[Hit]:
    """Return published articles (internal ones too: an agent reads them) for a ticket's
    error code and subject, in its language, else in English."""
    question = f"{ticket.error_code} {ticket.subject}".strip()
    hits = search_articles(query=question, language=ticket.language or "en", public=False,
                           limit=limit)
    if not hits and (ticket.language or "en") != "en":
        hits = search_articles(query=question, language="en", public=False, limit=limit)
    return hits


def public_article(article_id: int) -> Article | None:
    return Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED,
                                  visibility=Article.Visibility.PUBLIC).first()


def version(article: Article, language: str) -> Translation | None:
    """Return the article in ``language``, else in English, else any version."""
    versions = {t.language: t for t in article.translations.all()}
    return versions.get(language) or versions.get("en") or next(iter(versions.values()), None)


def articles_for_agents(*, status: str = "", query: str = "", language: str = "en",
                        limit: int = 100) -> list[Article]:
    if query.strip():
        statuses = (status,) if status else tuple(Article.Status.values)
        hits = search_articles(query=query, language=language, public=False, limit=limit,
                               statuses=statuses)
        return [h.article for h in hits]
    qs = Article.objects.prefetch_related("translations").order_by("-updated_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def open_tasks() -> QuerySet:
    return KbTask.objects.filter(state=KbTask.State.OPEN).select_related(
        "assignee__user", "ticket", "article")


def overdue_tasks(now=None) -> QuerySet:
    return open_tasks().filter(due_at__lt=now or clock.now())


def tasks_for(agent) -> QuerySet:
    return open_tasks().filter(assignee=agent)


def tasks_visible_to(viewer) -> QuerySet:
    """Open tasks assigned to the agent or to their role; everything for those who see
    overdue work (the KB specialist, the support manager)."""
    from django.db.models import Q

    from tierdesk.kb import policy

    if policy.sees_overdue(viewer) or viewer.is_manager:
        return open_tasks()
    roles = policy.roles_of(viewer)
    return open_tasks().filter(Q(assignee=viewer.agent) | Q(assignee__isnull=True,
                                                             role__in=roles))
