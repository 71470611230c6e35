"""Draw the weekly QA sample and record reviewers' scores.

The sample is random but repeatable: each agent's draw is seeded with the agent and the
week, so running the job again (or on another worker) picks the same tickets, and a
ticket is never sampled twice (a unique constraint, not a check-then-insert).
"""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.org.models import Placement
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent
from tierdesk.qa.models import Review, ReviewItem
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket


def week_of(at: datetime) -> date:
    """Return the Monday (UTC) of the week holding ``at``."""
    day = at.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def draw(ticket_ids: list[int], k: int, seed: str) -> list[int]:
    """Return ``k`` of ``ticket_ids`` at random; the same ids and seed give the same draw."""
    ids = sorted(ticket_ids)
    return sorted(random.Random(seed).sample(ids, min(k, len(ids))))


def _platform_role(pack: Any, role: str) -> str:
    for r in pack.roles:
        if r.code == role:
            return r.based_on or role
    return role


def is_reviewer(viewer: Viewer, pack: Any) -> bool:
    """Return whether ``viewer`` may score tickets: a manager, an agent holding the pack's
    reviewer role, or one placed on the chart in a position carrying it."""
    if viewer.is_manager:
        return True
    if not viewer.is_agent or viewer.agent is None:
        return False
    quality = getattr(pack, "quality", None)
    role = quality.sample.reviewer_role if quality else "qa_lead"
    platform = _platform_role(pack, role) if pack is not None else role
    if viewer.agent.role in (role, platform):
        return True
    org = getattr(pack, "organisation", None)
    positions = [p.code for p in (org.positions if org else []) if p.role == role]
    return Placement.objects.filter(agent=viewer.agent, position__in=positions).exists()


@transaction.atomic  # not durable: `tierdesk sweep --dry-run` runs it in a rolled-back block
def sample_week(*, now: datetime, pack: Any) -> int:
    """Queue this week's sample: ``per_agent`` random tickets each agent solved in the
    window before the week began; ``calibration`` of the first draw need two reviewers.
    Return how many tickets were queued (0 when the week is already drawn)."""
    quality = getattr(pack, "quality", None)
    if quality is None:
        return 0
    sample = quality.sample
    week = week_of(now)
    ends = datetime(week.year, week.month, week.day, tzinfo=UTC)
    starts = ends - sample.every
    solved = (Q(solved_at__gte=starts, solved_at__lt=ends)
              | Q(solved_at__isnull=True, closed_at__gte=starts, closed_at__lt=ends))
    rows = (Ticket.objects.filter(solved, status__in=sample.statuses, assignee__isnull=False)
            .exclude(qa_items__isnull=False).values_list("id", "assignee_id"))
    by_agent: dict[int, list[int]] = defaultdict(list)
    for ticket_id, agent_id in rows:
        by_agent[agent_id].append(ticket_id)
    drawn_before = set(ReviewItem.objects.filter(week=week).values_list("agent_id", flat=True))
    chosen: list[tuple[int, int]] = []
    for agent_id in sorted(set(by_agent) - drawn_before):
        seed = f"qa:{agent_id}:{week.isoformat()}"
        chosen += [(t, agent_id) for t in draw(by_agent[agent_id], sample.per_agent, seed)]
    if not chosen:
        return 0
    calibrate = set()
    if not drawn_before:  # the week's first draw picks the calibration tickets
        calibrate = set(draw([t for t, _ in chosen], sample.calibration,
                             f"qa-calibration:{week.isoformat()}"))
    items = [ReviewItem(ticket_id=t, agent_id=a, week=week, scorecard=quality.default,
                        reviews_needed=2 if t in calibrate else 1, sampled_at=now)
             for t, a in chosen]
    ReviewItem.objects.bulk_create(items, ignore_conflicts=True)
    tickets = Ticket.objects.in_bulk([t for t, _ in chosen])
    for ticket_id, _ in chosen:
        events.record(tickets[ticket_id], "qa_sampled", None, now, week=week.isoformat(),
                      calibration=ticket_id in calibrate)
    return len(chosen)


def score(scorecard: Any, scores: dict[str, int]) -> float:
    """Return the weighted score as a percentage: each criterion's points over the scale,
    weighted by the criterion's weight."""
    weights = sum(c.weight for c in scorecard.criteria)
    points = sum(c.weight * scores[c.code] / scorecard.scale for c in scorecard.criteria)
    return round(100 * points / weights, 1)


def _check_scores(scorecard: Any, scores: dict[str, Any], comments: dict[str, Any]) -> None:
    codes = [c.code for c in scorecard.criteria]
    for code in scores:
        if code not in codes:
            raise ServiceError(f"unknown criterion {code!r}; valid: {', '.join(codes)}",
                               field=f"scores.{code}")
    for code in comments:
        if code not in codes:
            raise ServiceError(f"unknown criterion {code!r}; valid: {', '.join(codes)}",
                               field=f"comments.{code}")
    for code in codes:
        value = scores.get(code)
        if value is None:
            raise ServiceError(f"score {code} is missing", field=f"scores.{code}")
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= scorecard.scale):
            raise ServiceError(f"score {code} must be a whole number from 1 to "
                               f"{scorecard.scale}", field=f"scores.{code}")


@transaction.atomic(durable=True)
def review_submit(*, viewer: Viewer, pack: Any, ticket: Ticket, scores: dict[str, Any],
                  comments: dict[str, str] | None = None, comment: str = "",
                  scorecard: str | None = None) -> Review:
    """Record ``viewer``'s review of ``ticket`` against the pack's scorecard."""
    quality = getattr(pack, "quality", None)
    if quality is None:
        raise ServiceError("the active pack defines no QA scorecards", field="scores")
    if viewer.agent is None or not is_reviewer(viewer, pack):
        raise Forbidden("only QA reviewers and managers score tickets")
    comments = {k: v for k, v in (comments or {}).items() if v}
    item = ReviewItem.objects.select_for_update().filter(ticket=ticket).first()
    name = scorecard or (item.scorecard if item else quality.default)
    card = quality.scorecards.get(name)
    if card is None:
        raise ServiceError(f"unknown scorecard {name!r}; valid: {', '.join(quality.scorecards)}",
                           field="scorecard")
    _check_scores(card, scores, comments)
    agent: Agent | None = item.agent if item else ticket.assignee
    if agent is None:
        raise ServiceError("the ticket has no assignee whose work could be reviewed",
                           field="ticket_id")
    if viewer.agent is not None and agent.pk == viewer.agent.pk:
        raise Forbidden("nobody reviews their own tickets")
    reviewer = viewer.agent
    if Review.objects.filter(ticket=ticket, reviewer=reviewer).exists():
        raise Conflict("you have already reviewed this ticket", field="ticket_id")
    now = clock.now()
    total = score(card, scores)
    review = Review.objects.create(
        item=item, ticket=ticket, agent=agent, reviewer=reviewer, scorecard=name,
        scale=card.scale, scores=scores, comments=comments, comment=comment, total=total,
        passed=None if card.pass_mark is None else total >= card.pass_mark, created_at=now)
    if item is not None:
        ReviewItem.objects.filter(pk=item.pk).update(reviews_done=F("reviews_done") + 1)
    # The audit log says a review happened, not the score: colleagues read this log.
    events.record(ticket, "qa_reviewed", viewer.user, now, scorecard=name, review=review.pk)
    return review
