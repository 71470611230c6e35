"""Who the active pack counts on, and who is missing: the warnings of `/readyz` and
`tierdesk policy check --instance`.

A handbook line "Notify CTO and Support Director" with no director on staff, or
"Escalate to Product Team" with an empty Product Team queue, fails silently at 3 a.m.;
these checks say so while someone can still add the people.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tierdesk import clock
from tierdesk.common.errors import Conflict
from tierdesk.escalation.routing import staffed_queue
from tierdesk.people.models import Agent, Group
from tierdesk.people.oncall import rotation_member
from tierdesk.rules.actions import agents_for, describe_recipient


def _actions(pack: Any) -> Iterator[tuple[str, Any]]:
    for i, rule in enumerate(pack.rules):
        for j, action in enumerate(rule.do):
            yield f"rules[{i}] ({rule.name}).do[{j}]", action
    for i, policy in enumerate(pack.sla_policies):
        for part in ("on_warning", "on_breach"):
            for j, action in enumerate(getattr(policy, part)):
                yield f"sla_policies[{i}] ({policy.name}).{part}[{j}]", action


def notify_warnings(pack: Any, at: datetime | None = None) -> list[str]:
    """Return one line per pack ``notify``/``assign`` recipient nobody active would get."""
    at = at or clock.now()
    out, seen = [], {}
    for path, action in _actions(pack):
        recipients = [(f"{path}.notify[{k}]", r) for k, r in enumerate(action.notify or [])]
        if action.assign is not None:
            recipients.append((f"{path}.assign", action.assign))
        for where, recipient in recipients:
            if recipient.customer:
                continue
            key = recipient.model_dump_json()
            if key not in seen:
                seen[key] = bool(agents_for(pack, recipient, at))
            if not seen[key]:
                out.append(f"{where}: nobody holds {describe_recipient(pack, recipient)}")
    return out


def escalation_targets(pack: Any) -> list[tuple[str, bool]]:
    """Return every (code, is_tier) a ticket can be escalated or handed to."""
    units = {u.code for u in pack.units}
    tiers = {t.code for t in pack.tiers}
    codes: list[str] = []
    esc = pack.escalation
    for path in esc.paths if esc else []:
        codes.append(path.to)
    for tier in pack.tiers:
        if tier.escalates_to:
            codes.append(tier.escalates_to)
    if esc and esc.resolution:
        codes.append(esc.resolution.communicated_by)
    for _, action in _actions(pack):
        if action.escalate:
            codes.append(action.escalate)
        if action.set_ is not None and action.set_.tier:
            codes.append(action.set_.tier)
    return [(c, c not in units) for c in dict.fromkeys(codes) if c in tiers | units]


def routing_warnings(pack: Any) -> list[str]:
    """Return one line per escalation destination no queue with members would receive
    and no holder of the organisation chart takes in person."""
    from tierdesk.org.selectors import escalation_landing

    out = []
    for code, is_tier in escalation_targets(pack):
        try:
            staffed_queue(code, tier=is_tier)
        except Conflict as exc:
            if escalation_landing(pack, code, tier=is_tier) is None:
                out.append(f"escalation to {code}: {exc.message}")
    return out


def structure_warnings(pack: Any, at: datetime | None = None) -> list[str]:
    """Return the tiers, units, groups and on-call rotations of the pack with no members."""
    at = at or clock.now()
    active = Agent.objects.filter(is_active=True)
    out = []
    for tier in pack.tiers:
        if not active.filter(tier__code=tier.code).exists():
            out.append(f"tier {tier.code} ({tier.name}): no active agent holds it")
    for unit in pack.units:
        group = Group.objects.filter(code=unit.code).first()
        if group is None or not active.filter(groups=group).exists():
            out.append(f"unit {unit.code} ({unit.name}): its queue has no active members")
    for group in Group.objects.order_by("name"):
        if not active.filter(groups=group).exists():
            out.append(f"group {group.name!r}: no active members")
    for i, rotation in enumerate(pack.on_call.rotations if pack.on_call else []):
        group = Group.objects.filter(code=rotation.group).first()
        if rotation.members:
            members = list(active.filter(user__username__in=rotation.members))
        else:
            members = list(active.filter(groups=group)) if group else []
        if rotation_member(rotation, members, at) is None:
            out.append(f"on_call.rotations[{i}] {rotation.group}: nobody to be on call")
    return out


def readiness_warnings() -> list[str]:
    """Return what `/readyz` shows: notifies nobody gets and escalations nobody receives."""
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    if pack is None:
        return []
    return notify_warnings(pack) + routing_warnings(pack)
