"""Ranked search over one index, joined to the caller's own table and visibility rules.

The caller (the ticket list, later the knowledge base) owns what a searcher may see; this
module owns words, matching and ranking. A search returns object ids best first, which
the caller then loads the way it loads any page.
"""

from collections.abc import Collection, Sequence
from typing import Any

from django.db import connections

from tierdesk.search import backends, text
from tierdesk.search.indexes import SearchIndex

# Ranking reads every candidate's document (bm25 / ts_rank) and checks it against the
# searcher's scope: for a word in a tenth of a million tickets that is 100,000 rows per
# page. A search therefore ranks the newest RANK_WINDOW visible matches; a word with
# fewer matches (any specific search) is ranked over all of them. Pages stop at the
# window's end: a word that common needs another word to narrow it.
RANK_WINDOW = 1_000


def ranked_ids_sql(
    index: SearchIndex, query: str, *, internal: bool, table: str = "", alias: str = "t",
    where: str = "", params: Sequence[Any] = (), limit: int, offset: int = 0,
    window: int | None = None, using: str = "default", any_word: bool = False,
    prefixes: Collection[str] = (), words: Sequence[str] | None = None,
    partition: str | None = None, narrow: Sequence[str] | None = None,
) -> tuple[str, list[Any]] | None:
    """Return ``(sql, params)`` selecting ``id, score`` of the documents matching every
    word of ``query``, best first (ties newest id first); None when ``query`` has no word.

    ``table`` (quoted, under ``alias``) is joined on its ``id`` so that ``where`` can
    restrict the documents to what the searcher may see; ``internal`` says whether the
    searcher may match internal fields at all. Only the newest ``window`` visible matches
    are ranked (see ``RANK_WINDOW``).

    ``any_word`` ranks documents holding any of the words (questions asked in plain
    language); ``prefixes`` are words also matched as the start of longer ones; ``words``
    replaces the words of ``query`` (a caller that dropped its language's stop words).
    ``partition`` keeps to one part of a keyed index (the searcher's language) and
    ``narrow`` to the documents holding one of those words (``selective_words``).
    """
    words = list(words) if words is not None else text.query_words(query)
    if not words:
        return None
    match_sql, score_sql, match_params, score_params = backends.match(
        index, words, internal=internal, using=using, any_word=any_word, prefixes=prefixes,
        partition=partition, narrow=narrow or None)
    doc_id = backends.doc_id(index, using)
    sql = f"SELECT {doc_id} AS id, {score_sql} AS score FROM {index.table}"
    if table:
        sql += f" INNER JOIN {table} {alias} ON {alias}.id = {doc_id}"
    sql += f" WHERE {match_sql}"
    if where:
        sql += f" AND ({where})"
    sql = (f"SELECT id, score FROM ({sql} ORDER BY {doc_id} DESC LIMIT %s) candidates"
           f" ORDER BY score, id DESC LIMIT %s OFFSET %s")
    return sql, [*score_params, *match_params, *params, window or RANK_WINDOW, limit, offset]


def selective_words(index: SearchIndex, words: Sequence[str], *, internal: bool,
                    prefixes: Collection[str] = (), partition: str | None = None,
                    window: int | None = None, using: str = "default") -> list[str] | None:
    """Return the words whose matches are worth ranking for a question matched on any of
    its ``words``, or None when all of them are (rank every match).

    A question's common words ("data", "connection") each match thousands of documents,
    and ranking reads every match. Its rarer words say what it is about: the documents
    holding none of them share one or two common words with the question and rank at
    the bottom. So:

    1. count each word's matches (in ``partition``), each count stopping past ``window``
       (``RANK_WINDOW`` unless given):
       one statement, at most ``window + 1`` index entries read per word, none ranked;
    2. take the words from the rarest while their matches add up to at most ``window``;
    3. the search then ranks only the documents holding one of those words, scored by
       all of ``words`` as before (the ranking of what is kept does not change).

    When even the rarest word has more than ``window`` matches, ``[]``: the search
    ranks the newest ``window`` matches, as a ticket search does (see ``RANK_WINDOW``).
    """
    if not words:
        return None
    window = window or RANK_WINDOW
    parts, params = [], []
    for word in words:
        where, _, where_params, _ = backends.match(
            index, [word], internal=internal, using=using, prefixes=prefixes,
            partition=partition)
        parts.append(f"(SELECT count(*) FROM (SELECT 1 FROM {index.table} WHERE {where}"
                     f" LIMIT %s) w{len(parts)})")
        params += [*where_params, window + 1]
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    chosen, total = [], 0
    for count, word in sorted(zip(counts, words, strict=True)):
        if total + count > window:
            break
        chosen.append(word)
        total += count
    return None if len(chosen) == len(words) else chosen
