"""The active policy pack, parsed once per applied version and cached per process."""

from functools import lru_cache
from typing import Any

from tierdesk.packs.models import PolicyPackVersion


def active_version() -> PolicyPackVersion | None:
    return (PolicyPackVersion.objects.filter(is_active=True)
            .only("id", "name", "version", "sha256").first())


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    row = PolicyPackVersion.objects.filter(is_active=True).values_list("id", "sha256").first()
    return None if row is None else _parsed(*row)


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
