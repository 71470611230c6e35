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


def _fields_text(index: SearchIndex, fields: dict[str, str]) -> list[str]:
    return [text.indexed_text(fields.get(f.name) or "", index.max_field_chars)
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


def match(index: SearchIndex, words: Sequence[str], *, internal: bool,
          using: str = "default", any_word: bool = False,
          prefixes: Collection[str] = ()) -> tuple[str, str, list[Any], list[Any]]:
    """Return ``(where, score, where_params, score_params)`` for documents holding every
    one of ``words`` (in any field ``internal`` allows); a lower score ranks higher.

    ``any_word`` matches documents holding at least one of them instead (a question in
    plain words, ranked by how well it matches); a word in ``prefixes`` also matches the
    longer words it begins (``connecti`` finds ``connection`` and ``connecting``)."""
    public = [f for f in index.fields if not f.internal]
    if _vendor(using) == "sqlite":
        joiner = " OR " if any_word else " AND "
        expr = joiner.join(f'"{w}"*' if w in prefixes else f'"{w}"' for w in words)
        if len(public) < len(index.fields) and not internal:
            expr = "{" + " ".join(f.name for f in public) + "} : (" + expr + ")"
        boosts = ", ".join(repr(f.boost) for f in index.fields)
        return (f"{index.table} MATCH %s", f"bm25({index.table}, {boosts})", [expr], [])
    letters = ""
    if len(public) < len(index.fields) and not internal:
        letters = ":" + "".join(index.letter(f) for f in public)
    joiner = " | " if any_word else " & "
    query = joiner.join(
        f"'{w}':*{letters[1:]}" if w in prefixes else f"'{w}'{letters}" for w in words)
    top = max(f.boost for f in index.fields)
    by_letter = {index.letter(f): f.boost / top for f in index.fields}
    weights = "{" + ", ".join(str(by_letter.get(c, 0.0)) for c in reversed(WEIGHT_LETTERS)) + "}"
    return (f"{index.table}.document @@ %s::tsquery",
            f"-ts_rank(%s::float4[], {index.table}.document, %s::tsquery, 1)",
            [query], [weights, query])
