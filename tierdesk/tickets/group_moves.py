"""Who may move a ticket to another group (queue).

Managers (support_manager, director, admin, and the pack roles ``based_on`` them) may move
a ticket anywhere: they run the queues. Any other agent may move it only into a queue they
belong to or a queue of their own tier, or back to the unrouted inbox; moving it up a tier
or to another unit is an escalation (the pack's criteria and handoff), and down a tier a
de-escalation, so the handbook's procedure cannot be skipped by editing the group.
"""

from tierdesk.common.errors import Forbidden
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Group


def check_group_move(*, viewer: Viewer, group: Group | None) -> None:
    """Raise ``Forbidden`` unless ``viewer`` may put a ticket in ``group``."""
    if viewer.is_manager or group is None:
        return
    agent = viewer.agent
    if group.pk in agent_group_ids(agent):
        return
    if agent.tier_id is not None and group.tier_id == agent.tier_id:
        return
    raise Forbidden(
        f"only managers may move a ticket to {group.name}, a queue you are not in and not "
        f"of your tier: escalate it (POST /api/v1/tickets/{{id}}/escalations) or ask a "
        f"support manager", field="group_id")
