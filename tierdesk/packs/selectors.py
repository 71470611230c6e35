"""The active policy pack: its version id is read from the database once per transaction
(or, outside one, once per web request), and a parsed pack is cached only under the
version it was applied as.

So a pack applied by another process (``tierdesk policy apply``, another web worker) is
what every transaction that starts after its commit classifies, times and routes with.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any

from tierdesk.packs.models import PolicyPackVersion


def active_version() -> PolicyPackVersion | None:
    """Return the active version row, read once per transaction (a change looks it up from
    its ticket service, its SLA refresh and its rules; one query serves them all) and, out
    of a transaction, once per web request (a page's forms, cards and board all ask)."""
    memo = _transaction_memo()
    if memo is None:
        memo = _request_memo.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    version = _read_active()
    if memo is not None:
        memo["version"] = version
    return version


@cache
def _active_statement(vendor: str) -> tuple[str, Any]:
    from django.db import connection

    from tierdesk.common import prepared

    q = connection.ops.quote_name
    cols = prepared.Columns(PolicyPackVersion, "v", names=("id", "name", "version", "sha256"))
    # At most one row is active (a partial unique constraint): no ordering needed.
    return (f"SELECT {cols.sql} FROM {q(PolicyPackVersion._meta.db_table)} v"
            f" WHERE v.{q('is_active')} LIMIT 1"), cols


def _read_active() -> PolicyPackVersion | None:
    """``filter(is_active=True).only(...).first()`` as one prepared statement: it runs in
    every write transaction, where compiling the ORM query cost more than running it."""
    from django.db import connection

    from tierdesk.common import prepared

    sql, cols = _active_statement(connection.vendor)
    row = prepared.fetch_one(sql, [])
    return cols.build(row) if row is not None else None


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    version = active_version()
    return None if version is None else _parsed(version.pk, version.sha256)


def _transaction_memo() -> dict | None:
    """A dict living exactly as long as the current transaction on this thread's
    connection, else None (outside a transaction every call reads the database).

    Why not an attribute of the outermost ``Atomic``: a service decorated with
    ``@transaction.atomic`` enters the same ``Atomic`` object on every call, in every
    thread, so a memo kept there outlived its transaction and pinned the first pack a
    process saw. Django gives each transaction a fresh ``run_on_commit`` list (a commit
    or a rollback replaces it), so the memo is tied to that list's identity.
    """
    from django.db import connection

    if not connection.in_atomic_block:
        return None
    hooks = connection.run_on_commit
    held = getattr(connection, "_tierdesk_memo", None)
    if held is None or held[0] is not hooks:
        held = (hooks, {})  # holding the list keeps its identity from being reused
        connection._tierdesk_memo = held
    return held[1]


# The request's memo: a GET runs outside any transaction, so without it each part of the
# ticket page (its forms, the refund card) and the SLA board read the row again.
_request_memo: ContextVar[dict | None] = ContextVar("tierdesk_pack_request_memo",
                                                   default=None)


@contextmanager
def memo_per_request() -> Iterator[None]:
    """Out of a transaction, read the active version at most once inside this block (one
    web request: ``tierdesk.packs.middleware``). A pack applied by another process
    meanwhile is seen from the next request on."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def forget_active() -> None:
    """Drop the memos (``pack_apply`` changes the answer inside its own transaction, and
    the request that applied it must read the new version after the commit)."""
    for memo in (_transaction_memo(), _request_memo.get()):
        if memo is not None:
            memo.pop("version", None)


def pack_for_version(version_id: int) -> Any:
    """Return the parsed pack of an applied version."""
    sha = PolicyPackVersion.objects.values_list("sha256", flat=True).get(pk=version_id)
    return _parsed(version_id, sha)


@lru_cache(maxsize=16)
def _parsed(version_id: int, sha256: str) -> Any:
    # Keyed by content hash too: a restored or rolled-back database may reuse an id.
    from tierdesk.policy import load_pack

    source = PolicyPackVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_pack(source)
