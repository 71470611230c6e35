"""Rows a pack's actions name by code (a tier, a unit's queue), looked up once.

The pack's tiers and units are written by ``pack_apply`` (``packs.sync``); each process
keeps what it found until the tiers, queues or their staff change, in any process
(``tierdesk.common.generations``, the ``staff`` generation).
"""

from tierdesk.common import generations
from tierdesk.people.models import Group, Tier


def tier(code: str) -> Tier | None:
    """The tier with this code."""
    return generations.cached("staff", ("tier", code),
                              lambda: Tier.objects.filter(code=code).first())


def queue_for(to: str) -> Group | None:
    """A unit's queue, else the first queue of that tier."""
    return generations.cached("staff", ("queue", to), lambda: (
        Group.objects.filter(code=to).first()
        or Group.objects.filter(tier__code=to).order_by("id").first()))
