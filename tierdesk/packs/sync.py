"""Give a pack's structure its rows: tiers, a queue per unit and per on-call rotation.

Run inside ``pack_apply``'s transaction. Existing rows are updated, never deleted:
tickets keep pointing at tiers an older pack named.
"""

from typing import Any

from tierdesk.people.models import Group, Tier


def sync_structure(pack: Any) -> None:
    for rank, tier in enumerate(pack.tiers):
        Tier.objects.update_or_create(code=tier.code, defaults={"name": tier.name, "rank": rank})
    for unit in pack.units:
        _group(unit.code, unit.name, None)
    rotations = pack.on_call.rotations if pack.on_call else []
    for rotation in rotations:
        tier = Tier.objects.filter(code=rotation.tier).first() if rotation.tier else None
        group = _group(rotation.group, rotation.name or rotation.group, tier)
        if group.timezone != rotation.timezone:
            group.timezone = rotation.timezone
            group.save(update_fields=["timezone"])


def _group(code: str, name: str, tier: Tier | None) -> Group:
    group = Group.objects.filter(code=code).first()
    if group is not None:
        return group
    if Group.objects.filter(name=name).exists():
        name = f"{name} ({code})"
    return Group.objects.create(code=code, name=name, tier=tier)
