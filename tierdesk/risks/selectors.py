"""Reading the register: who sees what, the weekly review, and the identification rate
reports use (CSU "Risk Management: Risk identification rate, escalation accuracy")."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from tierdesk.people.access import Viewer
from tierdesk.risks.models import Risk
from tierdesk.risks.services import can_manage, review_since
from tierdesk.tickets.models import Ticket


def risks_visible_to(viewer: Viewer, pack: Any) -> QuerySet[Risk]:
    """The whole register for the risk manager, owners named by the pack and managers;
    for anyone else the risks they flagged or own."""
    risks = Risk.objects.select_related("owner__user", "ticket", "incident", "flagged_by")
    if can_manage(viewer, pack):
        return risks
    if viewer.agent is None:
        return risks.none()
    from django.db.models import Q

    return risks.filter(Q(flagged_by=viewer.user) | Q(owner=viewer.agent))


def weekly_review(*, viewer: Viewer, pack: Any, now: datetime) -> dict:
    """Return what the weekly risk review goes through: risks new since the last review
    day, every open risk (highest score first), and those whose review date has come."""
    since = review_since(pack, now)
    visible = risks_visible_to(viewer, pack)
    open_risks = list(visible.exclude(status=Risk.Status.CLOSED)
                      .order_by("-score", "review_at", "id"))
    return {
        "since": since, "now": now,
        "new": [r for r in visible.filter(created_at__gte=since).order_by("-score", "id")],
        "open": open_risks,
        "due": [r for r in open_risks if r.review_at <= now],
    }


def identification_rate(*, start: datetime, end: datetime) -> dict:
    """Return tickets opened in [start, end], how many of them were flagged as risks, the
    risks flagged in the window, and the rate (flagged tickets per 100 tickets)."""
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lte=end)
    total = tickets.count()
    flagged = tickets.filter(risks__isnull=False).distinct().count()
    risks = Risk.objects.filter(created_at__gte=start, created_at__lte=end)
    by_category: dict[str, int] = {}
    for category in risks.values_list("category", flat=True):
        by_category[category] = by_category.get(category, 0) + 1
    return {
        "start": start, "end": end, "tickets": total, "tickets_flagged": flagged,
        "risks_flagged": risks.count(), "by_category": by_category,
        "rate_percent": round(100 * flagged / total, 2) if total else None,
    }
