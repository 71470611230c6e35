"""Ranked search over one index, joined to the caller's own table and visibility rules.

The caller (the ticket list, later the knowledge base) owns what a searcher may see; this
module owns words, matching and ranking. A search returns object ids best first, which
the caller then loads the way it loads any page.
"""

from collections.abc import Collection, Sequence
from typing import Any

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
    """
    words = list(words) if words is not None else text.query_words(query)
    if not words:
        return None
    match_sql, score_sql, match_params, score_params = backends.match(
        index, words, internal=internal, using=using, any_word=any_word, prefixes=prefixes)
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
