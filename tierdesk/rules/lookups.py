"""Rows a pack's actions name by code (a tier, a unit's queue), looked up once.

The pack's tiers and units are written by ``pack_apply`` (``packs.sync``), so a row found
by its code is kept per active pack version id: a new version is looked up afresh in every
process. Saving or deleting a pack version, tier or group in this process forgets them all
(a test database rolled back reuses version ids). Anything else (a tier's first queue, a
code not found) is kept only for the current write batch (one transaction).
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from tierdesk.packs.models import PolicyPackVersion
from tierdesk.packs.selectors import active_version
from tierdesk.people.models import Group, Tier
from tierdesk.tickets import batch

_by_version: dict[tuple[int, str, str], Any] = {}
_MAX = 256


def _cached(kind: str, code: str, find_by_code, fallback=None) -> Any:
    version = active_version()
    key = (version.pk if version is not None else 0, kind, code)
    if key in _by_version:
        return _by_version[key]
    memo = batch.memo()
    if (kind, code) in memo:
        return memo[(kind, code)]
    row = find_by_code()
    if row is not None and version is not None:
        if len(_by_version) >= _MAX:
            _by_version.clear()
        _by_version[key] = row
        return row
    if row is None and fallback is not None:
        row = fallback()
    memo[(kind, code)] = row
    return row


def tier(code: str) -> Tier | None:
    """The tier with this code."""
    return _cached("tier", code, lambda: Tier.objects.filter(code=code).first())


def queue_for(to: str) -> Group | None:
    """A unit's queue, else the first queue of that tier."""
    return _cached("queue", to, lambda: Group.objects.filter(code=to).first(),
                   lambda: Group.objects.filter(tier__code=to).order_by("id").first())


def _forget(**_: Any) -> None:
    _by_version.clear()


for _model in (PolicyPackVersion, Tier, Group):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"rules.lookups.{_model.__name__}")
    post_delete.connect(_forget, sender=_model,
                        dispatch_uid=f"rules.lookups.del.{_model.__name__}")
