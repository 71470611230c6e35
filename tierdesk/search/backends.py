"""The two engines behind an index: SQLite FTS5 and PostgreSQL ``tsvector`` + GIN.

SQLite: a virtual table ``search_<name>`` with one column per field, the object id as
its rowid, ranked by ``bm25`` with the fields' boosts; internal fields are left out of a
public search by an FTS5 column filter.
PostgreSQL: a table ``search_<name>(id, document)`` whose ``tsvector`` marks each field's
words with one weight letter (A-D), behind a GIN index; ranked by ``ts_rank`` with the
boosts as the letters' weights; a public search asks for the public letters only
(``'word':AB``), which the GIN index answers too.

Both store the words of ``text.words`` (already folded), so both find the same documents.
"""

from collections.abc import Collection, Sequence
from typing import Any

from django.db import connections

from tierdesk.search import text
from tierdesk.search.indexes import WEIGHT_LETTERS, Document, SearchIndex

# The text is folded in Python already; unicode61 folds the same way again (harmless) and
# splits on exactly the characters ``text.words`` splits on.
FTS5_TOKENIZE = "unicode61 remove_diacritics 2"


def _vendor(using: str) -> str:
    return connections[using].vendor


def create_sql(index: SearchIndex, vendor: str) -> list[str]:
    """The statements that create the index's table on ``vendor``."""
    if vendor == "sqlite":
        columns = ", ".join(f.name for f in index.fields)
        return [f"CREATE VIRTUAL TABLE {index.table} USING fts5({columns}, "
                f"tokenize = '{FTS5_TOKENIZE}')"]
    if vendor == "postgresql":
        return [
            f"CREATE TABLE {index.table} (id bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {index.table}_document ON {index.table}"
            f" USING gin (document)",
        ]
    raise RuntimeError(f"full-text search runs on SQLite and PostgreSQL only, not {vendor}")


def drop_sql(index: SearchIndex, vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {index.table}"]


def doc_id(index: SearchIndex, using: str = "default") -> str:
    """The SQL expression of a document's object id (to join the index to its table)."""
    return f"{index.table}.{'rowid' if _vendor(using) == 'sqlite' else 'id'}"


def key_token(value: str) -> str:
    """The one word a key field's value is stored as (``pt-BR`` -> ``ptbr``)."""
    return "".join(text.words(value))


def _fields_text(index: SearchIndex, fields: dict[str, str]) -> list[str]:
    return [key_token(fields.get(f.name) or "") if f.key
            else text.indexed_text(fields.get(f.name) or "", index.max_field_chars)
            for f in index.fields]


def put(index: SearchIndex, documents: Sequence[Document], using: str = "default") -> None:
    """Add or replace ``documents`` (inside the caller's transaction)."""
    if not documents:
        return
    rows = [[pk, *_fields_text(index, fields)] for pk, fields in documents]
    connection = connections[using]
    if connection.vendor == "sqlite":
        names = ", ".join(f.name for f in index.fields)
        marks = ", ".join(["%s"] * (len(index.fields) + 1))
        sql = f"INSERT OR REPLACE INTO {index.table} (rowid, {names}) VALUES ({marks})"
    else:
        vector = " || ".join(f"setweight(to_tsvector('simple', %s), '{index.letter(f)}')"
                             for f in index.fields)
        sql = (f"INSERT INTO {index.table} (id, document) VALUES (%s, {vector})"
               f" ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document")
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


def delete_range(index: SearchIndex, *, above: int, upto: int | None, keep: Sequence[int],
                 using: str = "default") -> None:
    """Delete documents with ``above < id <= upto`` (no upper bound when None) except
    ``keep``: what a rebuild does for the id range a page of documents covered."""
    column = doc_id(index, using)
    sql = f"DELETE FROM {index.table} WHERE {column} > %s"
    params: list[Any] = [above]
    if upto is not None:
        sql += f" AND {column} <= %s"
        params.append(upto)
    if keep:
        sql += f" AND {column} NOT IN ({', '.join(['%s'] * len(keep))})"
        params += list(keep)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def is_empty(index: SearchIndex, using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {index.table} LIMIT 1")
        return cursor.fetchone() is None


def without_secondary_index(index: SearchIndex, using: str = "default") -> bool:
    """Drop the GIN index before filling an empty table (PostgreSQL builds it in one sorted
    pass afterwards, several times faster than row by row); True if it did."""
    if _vendor(using) != "postgresql":
        return False
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {index.table}_document")
    return True


def restore_secondary_index(index: SearchIndex, using: str = "default") -> None:
    """Create the GIN index if it is missing (also after a rebuild that was cut short)."""
    if _vendor(using) != "postgresql":
        return
    with connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(create_sql(index, "postgresql")[1])


def optimise(index: SearchIndex, using: str = "default") -> None:
    """Merge the index's segments after a rebuild (SQLite) or refresh statistics."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {index.table} ({index.table}) VALUES ('optimize')")
        else:
            # Fold GIN's pending list into the index (searches would scan it linearly)
            # and give the planner the new row counts.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)",
                           [f"{index.table}_document"])
            cursor.execute(f"ANALYZE {index.table}")


def _fts5_expression(index: SearchIndex, words: Sequence[str], *, internal: bool,
                     any_word: bool, prefixes: Collection[str], partition: str | None) -> str:
    joiner = " OR " if any_word else " AND "
    expr = joiner.join(f'"{w}"*' if w in prefixes else f'"{w}"' for w in words)
    fields = index.words_fields(internal=internal)
    if len(fields) < len(index.fields):  # internal or key fields left out by a column filter
        expr = "{" + " ".join(f.name for f in fields) + "} : (" + expr + ")"
    if partition is not None:
        expr = f'{_key(index).name} : "{key_token(partition)}" AND {expr}'
    return expr


def _tsquery(index: SearchIndex, words: Sequence[str], *, internal: bool, any_word: bool,
             prefixes: Collection[str], partition: str | None) -> str:
    fields = index.words_fields(internal=internal)
    letters = ""
    if len(fields) < len(index.fields):  # ask only for the letters of the fields searched
        letters = ":" + "".join(index.letter(f) for f in fields)
    joiner = " | " if any_word else " & "
    query = joiner.join(
        f"'{w}':*{letters[1:]}" if w in prefixes else f"'{w}'{letters}" for w in words)
    if partition is not None:
        key = _key(index)
        query = f"'{key_token(partition)}':{index.letter(key)} & ({query})"
    return query


def _key(index: SearchIndex):
    if index.key_field is None:
        raise ValueError(f"index {index.name!r} has no key field to search one part of")
    return index.key_field


def match(index: SearchIndex, words: Sequence[str], *, internal: bool,
          using: str = "default", any_word: bool = False,
          prefixes: Collection[str] = (), partition: str | None = None,
          narrow: Sequence[str] | None = None) -> tuple[str, str, list[Any], list[Any]]:
    """Return ``(where, score, where_params, score_params)`` for documents holding every
    one of ``words`` (in any field ``internal`` allows); a lower score ranks higher.

    ``any_word`` matches documents holding at least one of them instead (a question in
    plain words, ranked by how well it matches); a word in ``prefixes`` also matches the
    longer words it begins (``connecti`` finds ``connection`` and ``connecting``).
    ``partition`` keeps to the documents whose key field holds that value (one language),
    inside the engine's match. ``narrow`` (with ``any_word``): only documents holding one
    of these words are candidates, still scored by all of ``words`` (see
    ``query.selective_words``)."""
    fields = index.words_fields(internal=internal)
    if _vendor(using) == "sqlite":
        options = {"internal": internal, "prefixes": prefixes, "partition": partition}
        expr = _fts5_expression(index, words, any_word=any_word, **options)
        boosts = ", ".join(repr(0.0 if f.key else f.boost) for f in index.fields)
        where = f"{index.table} MATCH %s"
        params = [expr]
        rest = [w for w in words if w not in narrow] if narrow is not None else []
        if narrow is not None and partition is not None and rest:
            # bm25 scores every word of the MATCH expression, and FTS5 walks only the
            # documents its first operand allows: "a narrow word AND (another word OR
            # the language)" matches exactly the documents holding a narrow word, each
            # scored by all of the words (the language column weighs nothing). The
            # language is checked on those rows, outside the match.
            options["partition"] = None
            key = _key(index)
            expr = (_fts5_expression(index, narrow, any_word=True, **options) + " AND ("
                    + _fts5_expression(index, rest, any_word=True, **options)
                    + f' OR {key.name} : "{key_token(partition)}")')
            where += f" AND {index.table}.{key.name} = %s"
            params = [expr, key_token(partition)]
        elif narrow is not None:
            # Narrowed by rowid: the unary + keeps SQLite from handing the IN to FTS5
            # (one lookup, re-reading every word's statistics, per candidate).
            where += (f" AND +{index.table}.rowid IN (SELECT rowid FROM {index.table}"
                      f" WHERE {index.table} MATCH %s)")
            params.append(_fts5_expression(index, narrow, any_word=True, **options))
        return (where, f"bm25({index.table}, {boosts})", params, [])
    options = {"internal": internal, "prefixes": prefixes}
    scored = _tsquery(index, words, any_word=any_word, partition=None, **options)
    if narrow is not None:
        matched = _tsquery(index, narrow, any_word=True, partition=partition, **options)
    elif partition is not None:
        matched = _tsquery(index, words, any_word=any_word, partition=partition, **options)
    else:
        matched = scored
    top = max(f.boost for f in fields) if fields else 1.0
    by_letter = {index.letter(f): f.boost / top for f in fields}
    weights = "{" + ", ".join(str(by_letter.get(c, 0.0)) for c in reversed(WEIGHT_LETTERS)) + "}"
    # Ranked by the words alone: a partition term in an AND would make ts_rank score by
    # how close the words sit to it.
    return (f"{index.table}.document @@ %s::tsquery",
            f"-ts_rank(%s::float4[], {index.table}.document, %s::tsquery, 1)",
            [matched], [weights, scored])
