"""The active policy pack, parsed once per applied version and cached per process."""

from typing import Any

from tierdesk.packs.models import PolicyPackVersion

_cache: dict[int, Any] = {}


def active_version() -> PolicyPackVersion | None:
    return PolicyPackVersion.objects.filter(is_active=True).only("id", "name", "version").first()


def active_pack() -> Any | None:
    """Return the parsed active ``Pack`` (or None before any pack is applied)."""
    row = PolicyPackVersion.objects.filter(is_active=True).values_list("id", flat=True).first()
    if row is None:
        return None
    if row not in _cache:
        from tierdesk.policy.loader import load_pack

        source = PolicyPackVersion.objects.values_list("source", flat=True).get(pk=row)
        _cache.clear()
        _cache[row] = load_pack(source)
    return _cache[row]
