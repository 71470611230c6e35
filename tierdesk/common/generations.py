"""Generations: what a process may keep between transactions, and how it learns it changed.

Some lookups run in nearly every write transaction yet change a few times a year: the
active pack, who staffs a queue, who holds a role. Each app names such a set of tables (a
*generation*: ``pack``, ``staff``) and its migration puts triggers on them (``watch``);
any write to them, from any process, the admin or raw SQL, gives the generation a new
random token. A transaction reads every token in one statement, and a process answers
the lookups from what it computed under the same token (``cached``).

Random, not counted: a rolled-back change restores the old token, and a counter would
then hand the next, different change the number a cache already holds answers for.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, migrations

TABLE = "tierdesk_generation"
T = TypeVar("T")

# (database, generation name) -> (token, {key: value}); only the newest token is kept.
_cache: dict[tuple[str, str], tuple[int, dict[Hashable, Any]]] = {}
_lock = Lock()


def tokens() -> dict[str, int]:
    """Every generation's token, read once per transaction (or once per web request
    outside one): a change committed by another process is seen by the next one."""
    memo = _memo(connections[DEFAULT_DB_ALIAS])
    if memo is not None and "generations" in memo:
        return memo["generations"]
    found = _read()
    if memo is not None:
        memo["generations"] = found
    return found


def cached(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept by this process until generation ``name`` changes."""
    conn = connections[DEFAULT_DB_ALIAS]
    memo = _memo(conn)
    if memo is not None:
        # This transaction (or request) has checked the token already: a dict lookup.
        held = memo.get(("held", name))
        if held is not None and key in held:
            return held[key]
    token = tokens().get(name)
    slot = (f"{conn.alias}:{conn.settings_dict['NAME']}", name)
    if token is not None:
        held = _cache.get(slot)
        if held is not None and held[0] == token:
            if memo is not None:
                memo[("held", name)] = held[1]
            if key in held[1]:
                return held[1][key]
        # A miss reads the tokens again: this transaction may have changed the tables
        # since it first read them, and an answer must be filed under the tables' state.
        forget()
        token = tokens().get(name)
    value = compute()
    if token is not None:
        with _lock:
            held = _cache.get(slot)
            if held is None or held[0] != token:
                held = _cache[slot] = (token, {})
            held[1][key] = value
    return value


def _memo(conn: Any) -> dict | None:
    memo = _transaction_memo(conn)
    return memo if memo is not None else _request_memo.get()


def forget() -> None:
    """Drop this transaction's (and request's) tokens: the next lookup reads them again.
    Apps call it when they change a watched table in-process (their ``post_save``)."""
    for memo in (transaction_memo(), _request_memo.get()):
        for entry in [k for k in memo or () if k == "generations" or k[0] == "held"]:
            del memo[entry]


def _read() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, token FROM {TABLE}")
        return dict(cursor.fetchall())


def transaction_memo() -> dict | None:
    """A dict living exactly as long as the current transaction on this thread's
    connection, else None (outside a transaction every call reads the database).

    Why not an attribute of the outermost ``Atomic``: a service decorated with
    ``@transaction.atomic`` enters the same ``Atomic`` object on every call, in every
    thread, so a memo kept there outlived its transaction. Django gives each transaction
    a fresh ``run_on_commit`` list (a commit or a rollback replaces it), so the memo is
    tied to that list's identity.
    """
    return _transaction_memo(connections[DEFAULT_DB_ALIAS])


def _transaction_memo(conn: Any) -> dict | None:
    if not conn.in_atomic_block:
        return None
    hooks = conn.run_on_commit
    held = conn.__dict__.get("_tierdesk_memo")
    if held is None or held[0] is not hooks:
        held = (hooks, {})  # holding the list keeps its identity from being reused
        conn._tierdesk_memo = held
    return held[1]


# Out of a transaction, a page's parts (its forms, cards, board) each ask: one read per
# web request (``TokensPerRequest``) serves them all.
_request_memo: ContextVar[dict | None] = ContextVar("tierdesk_request_memo", default=None)


@contextmanager
def memo_per_request() -> Iterator[None]:
    """Out of a transaction, read the tokens at most once inside this block. A change
    committed by another process meanwhile is seen from the next request on."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


class TokensPerRequest:
    """Middleware: one read of the generations per web request (``memo_per_request``)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with memo_per_request():
            return self.get_response(request)


def create_table() -> migrations.RunSQL:
    """The migration operation that makes the tokens' table."""
    return migrations.RunSQL(
        f"CREATE TABLE {TABLE} (name varchar(40) PRIMARY KEY, token bigint NOT NULL)",
        f"DROP TABLE {TABLE}")


def watch(name: str, tables: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """The migration operation that gives generation ``name`` a new token on every
    insert, delete, truncate, or update of the listed columns (all columns when the
    tuple is empty) of each table."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _watch_sql(schema_editor.connection.vendor, name, tables):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _unwatch_sql(schema_editor.connection.vendor, name, tables):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards, elidable=False)


def _trigger(name: str, table: str, op: str) -> str:
    return f"tierdesk_gen_{name}_{table}_{op}"[:63]


def _watch_sql(vendor: str, name: str, tables: dict[str, tuple[str, ...]]) -> Iterator[str]:
    if vendor == "postgresql":
        function = f"tierdesk_gen_{name}"
        yield (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
               f" BEGIN INSERT INTO {TABLE} (name, token) VALUES ('{name}',"
               f" floor(random() * 9.2e18)::bigint) ON CONFLICT (name) DO UPDATE"
               f" SET token = excluded.token; RETURN NULL; END $$")
        for table, columns in tables.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            yield (f"CREATE TRIGGER {_trigger(name, table, 'w')} AFTER INSERT OR {update}"
                   f" OR DELETE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
            yield (f"CREATE TRIGGER {_trigger(name, table, 't')} AFTER TRUNCATE ON {table}"
                   f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        yield (f"INSERT INTO {TABLE} (name, token) VALUES ('{name}',"
               " floor(random() * 9.2e18)::bigint) ON CONFLICT (name) DO NOTHING")
        return
    bump = (f"INSERT INTO {TABLE} (name, token) VALUES ('{name}', abs(random()))"
            " ON CONFLICT (name) DO UPDATE SET token = excluded.token;")
    for table, columns in tables.items():
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        for op, event in (("i", "INSERT"), ("u", update), ("d", "DELETE")):
            yield (f"CREATE TRIGGER {_trigger(name, table, op)} AFTER {event} ON {table}"
                   f" BEGIN {bump} END")
    yield f"INSERT OR IGNORE INTO {TABLE} (name, token) VALUES ('{name}', abs(random()))"


def _unwatch_sql(vendor: str, name: str, tables: dict[str, tuple[str, ...]]) -> Iterator[str]:
    ops = ("w", "t") if vendor == "postgresql" else ("i", "u", "d")
    for table in tables:
        for op in ops:
            on = f" ON {table}" if vendor == "postgresql" else ""
            yield f"DROP TRIGGER IF EXISTS {_trigger(name, table, op)}{on}"
    if vendor == "postgresql":
        yield f"DROP FUNCTION IF EXISTS tierdesk_gen_{name}()"
    yield f"DELETE FROM {TABLE} WHERE name = '{name}'"
