"""The pack's resolution rules, checked when a person closes a ticket.

``escalation.resolution`` (escalation-basic: "Tier 1 Support will communicate the
resolution to the customer and ensure their satisfaction. The issue ticket will be
closed"):

- ``closed_by``: only an agent holding that tier closes (managers too: they answer for
  every queue); a specialist or engineer is refused.
- An escalated ticket closes only once the resolution was *communicated*: a public reply
  by an agent at or after its last escalation or de-escalation (the resolution endpoint's
  hand-back to Tier 1 counts as one, and its message as the reply).
- ``knowledge_base`` ("Engineering ... Update the knowledge base with any new findings,
  fixes"): a ticket escalated for one of its criteria, or carrying one of its tags, closes
  only after a KB article was linked or waived with a reason (``kb_article_linked`` /
  ``kb_article_waived`` events, ``POST /api/v1/tickets/{id}/knowledge``).

The platform itself (rules, sweeps, merges) is not held to them.
"""

from typing import Any

from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.people.access import Viewer
from tierdesk.tickets.models import Message, Ticket

KB_EVENTS = ("kb_article_linked", "kb_article_waived")


class ResolutionIncomplete(ServiceError):
    status_code = 409
    code = "resolution_incomplete"


def check_close(*, pack: Any, ticket: Ticket, viewer: Viewer) -> None:
    """Raise unless ``viewer`` may close ``ticket`` under the pack's resolution rules."""
    resolution = pack.escalation.resolution if pack is not None and pack.escalation else None
    if resolution is None or viewer.system:
        return
    if not viewer.is_manager:
        tier = viewer.agent.tier.code if viewer.agent.tier_id else None
        if tier != resolution.closed_by:
            raise Forbidden(f"tier {resolution.closed_by} closes tickets in this handbook "
                            f"(you are {'tier ' + tier if tier else 'in no tier'}); "
                            f"solve it and tier {resolution.closed_by} closes it",
                            field="status")
    from tierdesk.escalation.models import Escalation

    last = Escalation.objects.filter(ticket=ticket).order_by("-at", "-id").first()
    if last is None:
        return
    told = Message.objects.filter(ticket=ticket, kind=Message.Kind.REPLY,
                                  author__agent__isnull=False, created_at__gte=last.at)
    if not told.exists():
        raise ResolutionIncomplete(
            f"tier {resolution.communicated_by} communicates the resolution before the ticket "
            f"closes: no public reply since it was last escalated ({last.at:%Y-%m-%d %H:%M})",
            field="status")
    if (_needs_kb(resolution.knowledge_base, ticket)
            and not ticket.events.filter(type__in=KB_EVENTS).exists()):
        raise ResolutionIncomplete(
            "this fix must update the knowledge base: link the KB article, or waive it "
            f"with a reason (POST /api/v1/tickets/{ticket.pk}/knowledge)",
            field="status", details={"link": f"/api/v1/tickets/{ticket.pk}/knowledge"})


def _needs_kb(rule: Any, ticket: Ticket) -> bool:
    if rule is None:
        return False
    if set(rule.tags) & set(ticket.tags):
        return True
    from tierdesk.escalation.models import Escalation

    wanted = set(rule.criteria)
    return bool(wanted) and any(set(c) & wanted for c in Escalation.objects.filter(
        ticket=ticket).values_list("criteria", flat=True))
