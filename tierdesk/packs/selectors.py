"""The active policy pack: each process keeps the active version row until the ``pack``
generation changes (``tierdesk.common.generations``: read once per transaction, or once
per web request outside one), and a parsed pack is cached only under the version it was
applied as.

So a pack applied by another process (``tierdesk policy apply``, another web worker) is
what every transaction that starts after its commit classifies, times and routes with.
"""

from functools import cache, lru_cache
from typing import Any

from tierdesk.common import generations
from tierdesk.packs.models import PolicyPackVersion


def active_version() -> PolicyPackVersion | None:
    """Return the active version row (shared by this process's threads: read it, never
    change it), without a query while no pack was applied since this process read it."""
    return generations.cached("pack", "active", _read_active)


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
    """``filter(is_active=True).only(...).first()`` as one prepared statement."""
    from django.db import connection

    from tierdesk.common import prepared

    sql, cols = _active_statement(connection.vendor)
    row = prepared.fetch_one(sql, [])
    return cols.build(row) if row is not None else None


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    version = active_version()
    return None if version is None else _parsed(version.pk, version.sha256)


def forget_active() -> None:
    """``pack_apply`` changes the answer inside its own transaction: its next read, and
    the request's after the commit, must find the new version."""
    generations.forget()


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
