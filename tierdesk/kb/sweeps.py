"""The handbooks' KB rules, run by the sweeps (``jobs.registry``).

- ``handle_time_sweep`` (NexaCore: "If you spend more than 1 hour solving a unique,
  repeatable problem, you must write a KB article for it"): reads the ``time_logged``
  events written since its last pass (a cursor on the event id, so each pass touches
  only what is new), totals each (ticket, agent) that appeared, and gives an agent past
  the pack's threshold on a ticket carrying its tag one KB task.
- ``recurring_code_sweep`` (DataFlow: "Identify recurring issues (e.g., >10
  tickets/month ...)" and "Publish within 5 days of identification"): counts this and
  last calendar month's tickets per error code in the pack's time zone; a code past the
  threshold gets one task per month, due ``due_in`` after the ticket that crossed it.

- ``review_deadline_sweep`` (DataFlow: "Managers: Review updates weekly for accuracy";
  the pack's ``knowledge.review_within``): an article in review gets one task per review
  round for the role of its first step still waiting, due ``review_within`` after it
  was submitted, so the reviewers see it and an overdue review shows to the support
  manager and the KB specialist. The task is done when the article is published, sent
  back to its writer or archived (``kb.services``).

All are safe to run twice at once: the tasks' unique constraints make the second insert
a no-op, and the cursor only moves forward.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef

from tierdesk import clock
from tierdesk.kb import handle_time, policy, selectors
from tierdesk.kb.models import Article, KbTask, Review, SweepCursor
from tierdesk.packs.selectors import active_pack
from tierdesk.people.models import Agent
from tierdesk.tickets.models import Ticket, TicketEvent

PAGE = 5_000


def _create_task(**fields) -> bool:
    try:
        with transaction.atomic():
            KbTask.objects.create(**fields)
        return True
    except IntegrityError:  # already asked for (another pass, another worker)
        return False


def handle_time_sweep(now: datetime | None = None) -> int:
    """Return how many KB tasks it created (and closes idle handle-time sessions)."""
    now = now or clock.now()
    handle_time.close_idle_sessions(now)
    rule = policy.knowledge().handle_time_task
    cursor, _ = SweepCursor.objects.get_or_create(name="kb_handle_time")
    rows = list(TicketEvent.objects.filter(type=handle_time.TIME_LOGGED, id__gt=cursor.last_id)
                .order_by("id").values_list("id", "ticket_id", "data")[:PAGE])
    if not rows:
        return 0
    created = 0
    if rule is not None:
        pairs = {(ticket_id, data.get("agent")) for _, ticket_id, data in rows
                 if data.get("agent") is not None}
        tickets = Ticket.objects.in_bulk({t for t, _ in pairs})
        wanted = set(rule.tags)
        limit = rule.more_than.total_seconds()
        for ticket_id, agent_id in sorted(pairs):
            ticket = tickets.get(ticket_id)
            if ticket is None or (wanted and not wanted & set(ticket.tags or [])):
                continue
            total = handle_time.handle_seconds(ticket).get(agent_id, 0)
            if total <= limit:  # "more than 1 hour"
                continue
            agent = Agent.objects.filter(pk=agent_id).select_related("user").first()
            if agent is None:
                continue
            created += _create_task(
                kind=KbTask.Kind.HANDLE_TIME, ticket=ticket, assignee=agent,
                title=f"Write a KB article: #{ticket.pk} {ticket.subject}"[:300],
                error_code=ticket.error_code, created_at=now,
                due_at=now + rule.due_in if rule.due_in else None,
                data={"seconds": total, "tags": sorted(wanted & set(ticket.tags or []))})
    SweepCursor.objects.filter(pk=cursor.pk, last_id__lt=rows[-1][0]).update(
        last_id=rows[-1][0])
    return created


def _month_bounds(now: datetime, zone: ZoneInfo) -> list[tuple[str, datetime, datetime]]:
    """This calendar month and the last one, as (YYYY-MM, start, end) in ``zone``."""
    local = now.astimezone(zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous = (start - timedelta(days=1)).replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return [(previous.strftime("%Y-%m"), previous, start),
            (start.strftime("%Y-%m"), start, following)]


def recurring_code_sweep(now: datetime | None = None) -> int:
    """Return how many KB tasks it created for error codes past the monthly threshold."""
    now = now or clock.now()
    rule = policy.knowledge().recurring_code_task
    pack = active_pack()
    if rule is None or pack is None:
        return 0
    zone = ZoneInfo(pack.timezone)
    created = 0
    for month, start, end in _month_bounds(now, zone):
        in_month = Ticket.objects.filter(created_at__gte=start, created_at__lt=end,
                                         merged_into__isnull=True).exclude(error_code="")
        counts = (in_month.values("error_code").annotate(n=Count("id"))
                  .filter(n__gt=rule.more_than).order_by())
        for row in counts:
            code = row["error_code"]
            if KbTask.objects.filter(kind=KbTask.Kind.RECURRING_CODE, error_code=code,
                                     month=month).exists():
                continue
            crossing = (in_month.filter(error_code=code).order_by("created_at", "id")
                        .values_list("created_at", flat=True)[rule.more_than])
            entry = pack.error_codes.get(code)
            title = f"Write a KB article for {code}"
            if entry is not None:
                title += f": {entry.title}"
            created += _create_task(
                kind=KbTask.Kind.RECURRING_CODE, error_code=code, month=month, title=title,
                role=rule.role or "", created_at=now, due_at=crossing + rule.due_in,
                data={"tickets": row["n"], "identified_at": crossing.isoformat()})
    return created


def review_deadline_sweep(now: datetime | None = None) -> int:
    """Return how many review tasks it created for articles waiting in review."""
    now = now or clock.now()
    knowledge = policy.knowledge()
    within, steps = knowledge.review_within, knowledge.reviews
    if within is None or not steps:
        return 0
    open_task = KbTask.objects.filter(article=OuterRef("pk"), kind=KbTask.Kind.REVIEW,
                                      state=KbTask.State.OPEN)
    waiting = Article.objects.filter(status=Article.Status.IN_REVIEW,
                                     submitted_at__isnull=False).filter(~Exists(open_task))
    created = 0
    for article in waiting.prefetch_related("translations").order_by("id"):
        approved = set(Review.objects.filter(
            article=article, round=article.review_round,
            decision=Review.Decision.APPROVED).values_list("step", flat=True))
        step = next((s for s in steps if s.code not in approved), None)
        if step is None:  # every step approved: publishing is what is left
            continue
        version = selectors.version(article, "en")
        title = f"Review KB-{article.pk}" + (f": {version.title}" if version else "")
        created += _create_task(
            kind=KbTask.Kind.REVIEW, article=article, role=step.roles[0] if step.roles else "",
            title=title[:300], created_at=now, due_at=article.submitted_at + within,
            data={"round": article.review_round, "step": step.code})
    return created
