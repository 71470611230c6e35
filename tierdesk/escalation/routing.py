"""Where an escalated ticket lands: a queue someone who can take it will see.

A tier's queue is a group named for the tier (``code``) or working it (``tier``) with an
active member *holding* that tier; a unit's queue is the group with the unit's code and an
active member. When there is none, the move is refused (a rule's escalation is recorded as
a failed action): a ticket moved where nobody can open it would look handled and be lost.
"""

from django.db.models import Case, IntegerField, Q, Value, When

from tierdesk.common.errors import Conflict
from tierdesk.people.models import Group


def staffed_queue(to: str, *, tier: bool) -> Group:
    """Return the queue for tier or unit ``to``; raise ``Conflict`` when nobody works it."""
    # One filter() call: the same member must be active and (for a tier) hold the tier.
    member = {"agents__is_active": True, **({"agents__tier__code": to} if tier else {})}
    queue = (Group.objects.filter(Q(code=to) | Q(tier__code=to) if tier else Q(code=to))
             .filter(**member)
             .annotate(named=Case(When(code=to, then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
             .order_by("named", "id").first())
    if queue is None:
        holder = f"an active agent of tier {to}" if tier else "an active member"
        raise Conflict(
            f"nobody can take {to} tickets: no queue of {to} has {holder}; add one "
            f"(`tierdesk policy check --instance` lists what is unstaffed)", field="to")
    return queue
