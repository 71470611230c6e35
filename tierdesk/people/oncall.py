"""Who is on call for a group at an instant: an explicit shift, else the pack's rotation.

A rotation hands over every ``shift`` (e.g. 7 days) at local midnight of the rotation's
time zone, counting from Monday 2024-01-01, through its members in order (usernames in
the pack, else the group's active agents by username).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tierdesk import clock
from tierdesk.people.models import Agent, Group, OnCallShift

ROTATION_EPOCH = datetime(2024, 1, 1)  # a Monday


def rotation_member(rotation: Any, members: list[Agent], at: datetime) -> Agent | None:
    """Return whose turn it is in ``rotation`` at ``at`` (None with no members)."""
    if not members:
        return None
    start = ROTATION_EPOCH.replace(tzinfo=ZoneInfo(rotation.timezone))
    shifts = int((at - start).total_seconds() // rotation.shift.total_seconds())
    return members[shifts % len(members)]


def on_call_now(*, group: Group, at: datetime | None = None, pack: Any = None) -> Agent | None:
    """Return the agent on call for ``group`` at ``at`` (explicit shifts win over rotation)."""
    at = at or clock.now()
    shift = (OnCallShift.objects.filter(group=group, starts_at__lte=at, ends_at__gt=at)
             .select_related("agent__user").order_by("-starts_at").first())
    if shift is not None:
        return shift.agent
    if pack is None:
        from tierdesk.packs.selectors import active_pack

        pack = active_pack()
    rotations = pack.on_call.rotations if pack is not None and pack.on_call else []
    rotation = next((r for r in rotations if r.group == group.code), None)
    if rotation is None:
        return None
    agents = Agent.objects.filter(is_active=True).select_related("user")
    if rotation.members:
        by_name = {a.user.username: a for a in agents.filter(user__username__in=rotation.members)}
        members = [by_name[m] for m in rotation.members if m in by_name]
    else:
        members = list(agents.filter(groups=group).order_by("user__username"))
    return rotation_member(rotation, members, at)
