"""The active policy pack, parsed once per applied version and cached per process."""

from functools import lru_cache
from typing import Any

from tierdesk.packs.models import PolicyPackVersion


def active_version() -> PolicyPackVersion | None:
    """Return the active version row, read once per transaction (a change looks it up from
    its ticket service, its SLA refresh and its rules; one query serves them all)."""
    memo = _transaction_memo()
    if memo is not None and "version" in memo:
        return memo["version"]
    version = (PolicyPackVersion.objects.filter(is_active=True)
               .only("id", "name", "version", "sha256").first())
    if memo is not None:
        memo["version"] = version
    return version


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    version = active_version()
    return None if version is None else _parsed(version.pk, version.sha256)


def _transaction_memo() -> dict | None:
    """A dict living exactly as long as the current outermost transaction, else None."""
    from django.db import connection

    if not connection.in_atomic_block or not connection.atomic_blocks:
        return None
    outermost = connection.atomic_blocks[0]
    # ``@transaction.atomic`` used as a decorator is one Atomic object for every call, so
    # the memo is tied to this transaction's on-commit list too: Django replaces that list
    # at every commit and rollback, which retires the memo with its transaction.
    held = getattr(outermost, "_tierdesk_memo", None)
    if held is None or held[0] is not connection.run_on_commit:
        held = (connection.run_on_commit, {})
        outermost._tierdesk_memo = held
    return held[1]


def forget_active() -> None:
    """Drop the memo (``pack_apply`` changes the answer inside its own transaction)."""
    memo = _transaction_memo()
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
