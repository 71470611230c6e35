"""What each person may read of QA: reviewers see the queue and every review, an agent
only the reviews of their own work."""

from statistics import mean
from typing import Any

from django.db.models import F, QuerySet

from tierdesk.people.access import Viewer
from tierdesk.qa.models import Review, ReviewItem


def review_queue(*, viewer: Viewer) -> list[ReviewItem]:
    """Return sampled tickets still waiting for a review this reviewer can give."""
    items = (ReviewItem.objects.filter(reviews_done__lt=F("reviews_needed"))
             .select_related("ticket", "agent__user").order_by("week", "id"))
    if viewer.agent is not None:
        items = items.exclude(agent=viewer.agent).exclude(reviews__reviewer=viewer.agent)
    return list(items)


def reviews_of(agent_id: int) -> QuerySet[Review]:
    return (Review.objects.filter(agent_id=agent_id)
            .select_related("ticket", "reviewer__user", "agent__user"))


def all_reviews() -> QuerySet[Review]:
    return Review.objects.select_related("ticket", "reviewer__user", "agent__user")


def calibration_report(*, pack: Any) -> dict:
    """Return every ticket two or more reviewers scored: their totals, the spread between
    them overall and per criterion, and whether they agree within the pack's tolerance."""
    quality = getattr(pack, "quality", None)
    tolerance = quality.calibration_tolerance if quality else 10.0
    by_ticket: dict[int, list[Review]] = {}
    for review in all_reviews().order_by("ticket_id", "created_at", "id"):
        by_ticket.setdefault(review.ticket_id, []).append(review)
    rows = []
    for ticket_id, reviews in by_ticket.items():
        if len(reviews) < 2:
            continue
        totals = [r.total for r in reviews]
        criteria = sorted({c for r in reviews for c in r.scores})
        spread = round(max(totals) - min(totals), 1)
        rows.append({
            "ticket_id": ticket_id, "subject": reviews[0].ticket.subject,
            "agent": str(reviews[0].agent),
            "reviews": [{"reviewer": str(r.reviewer), "total": r.total, "scores": r.scores}
                        for r in reviews],
            "spread": spread,
            "criteria_spread": {c: max(r.scores.get(c, 0) for r in reviews)
                                - min(r.scores.get(c, 0) for r in reviews) for c in criteria},
            "agreed": spread <= tolerance,
        })
    return {
        "tolerance": tolerance, "tickets": rows,
        "calibrated": len(rows),
        "agreement_rate": round(100 * sum(r["agreed"] for r in rows) / len(rows), 1)
        if rows else None,
        "mean_spread": round(mean(r["spread"] for r in rows), 1) if rows else None,
    }


def agent_summary(reviews: list[Review]) -> dict:
    return {"count": len(reviews),
            "average": round(mean(r.total for r in reviews), 1) if reviews else None}
