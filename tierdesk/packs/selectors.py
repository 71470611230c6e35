"""The active policy pack, parsed once per applied version and cached per process."""

from functools import lru_cache
from typing import Any

from tierdesk.packs.models import PolicyPackVersion


def active_version() -> PolicyPackVersion | None:
    return (PolicyPackVersion.objects.filter(is_active=True)
            .only("id", "name", "version", "sha256").first())


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    version_id = (PolicyPackVersion.objects.filter(is_active=True)
                  .values_list("id", flat=True).first())
    return None if version_id is None else pack_for_version(version_id)


@lru_cache(maxsize=16)
def pack_for_version(version_id: int) -> Any:
    """Return the parsed pack of an applied version (versions never change once stored)."""
    from tierdesk.policy import load_pack

    source = PolicyPackVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_pack(source)
