"""Metrics read from the other domains: surveys, refunds, customers' cancellations, the
knowledge base and its bot (handle time and the risk register are counted with the ticket
facts, in ticket_metrics). Ticket-bound figures follow the report's cohort and
filters; surveys, articles and bot conversations count what happened in the period.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, Sum

from tierdesk.customers.models import Organisation
from tierdesk.kb.models import Article, BotConversation, MonthlyStat, Review
from tierdesk.refunds.models import Kind, LedgerEntry, RefundRequest, RequestStatus
from tierdesk.reports.registry import ratio, register
from tierdesk.reports.scope import Scope
from tierdesk.surveys.models import SurveyKind
from tierdesk.surveys.selectors import survey_stats
from tierdesk.tickets.models import Ticket

# The review step the packs name for accuracy (DataFlow: "Manager review for accuracy").
ACCURACY_STEP = "accuracy"


def _surveys(scope: Scope, kind: str):
    key = f"surveys:{kind}"
    orgs = scope.filters.organisation
    return scope.remember(key, lambda: survey_stats(
        kind=kind, since=scope.period.start, until=scope.period.end,
        organisation_id=orgs[0] if len(orgs) == 1 else None))


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 2)


@register("csat_score", label="CSAT (average score)", unit="number",
          source="DataFlow 10.1 'Satisfaction Score: 4.5/5'; NexaCore CSAT")
def csat_score(scope: Scope) -> float | None:
    return _surveys(scope, SurveyKind.CSAT).average


@register("csat_percent", label="CSAT (satisfied share)", unit="percent",
          source="Fire22 'Satisfaction Rating: 96% customer satisfaction (CSAT)'")
def csat_percent(scope: Scope) -> float | None:
    """The share of answers in the scale's top two scores."""
    return _percent(_surveys(scope, SurveyKind.CSAT).satisfied_share)


@register("survey_response_rate", label="Survey response rate", unit="percent",
          source="DataFlow 8 'Response Rate: 30% of closed tickets'")
def survey_response_rate(scope: Scope) -> float | None:
    return _percent(_surveys(scope, SurveyKind.CSAT).response_rate)


@register("negative_feedback_resolved", label="Low scores followed up within 48 hours",
          unit="percent",
          source="DataFlow 8 'Negative Feedback Resolution: 90% within 48 hours'")
def negative_feedback_resolved(scope: Scope) -> float | None:
    return _percent(_surveys(scope, SurveyKind.CSAT).low_followed_up_in_time)


@register("nps", label="Net Promoter Score", unit="number",
          source="Fire22 'Net Promoter Score: 8.7/10 NPS rating'")
def nps(scope: Scope) -> float | None:
    """Promoters minus detractors, in percentage points (-100..100)."""
    return _surveys(scope, SurveyKind.NPS).nps


def _money_tickets(scope: Scope, kind: str) -> int:
    return (LedgerEntry.objects.filter(scope.cohort_q("ticket__"), kind=kind)
            .values("ticket_id").distinct().count())


@register("refund_rate", label="Tickets with a refund", unit="percent", better="lower",
          source="DataFlow 10.1 'Refund Rate: <2% of monthly tickets'")
def refund_rate(scope: Scope) -> float | None:
    return ratio(_money_tickets(scope, Kind.REFUND), scope.tickets().count())


@register("cancellation_rate", label="Tickets ending in a cancellation", unit="percent",
          better="lower", source="DataFlow 6 'Process cancellations with 7-day notice'")
def cancellation_rate(scope: Scope) -> float | None:
    """Cohort tickets with an approved cancellation request. Read from the requests, not
    the ledger: a cancellation moves no money, so the ledger never records one."""
    cancelled = (_approved_cancellations().filter(scope.cohort_q("ticket__"))
                 .values("ticket_id").distinct().count())
    return ratio(cancelled, scope.tickets().count())


def _approved_cancellations():
    return RefundRequest.objects.filter(kind=Kind.CANCELLATION, status=RequestStatus.APPROVED)


@register("churn_risk_organisations", label="Organisations at churn risk", unit="count",
          better="lower",
          source="DataFlow 10.1 'Churn Impact: <5% churn due to support issues' (at risk: a "
                 "low survey score or a cancellation in the period; handbook silent on the "
                 "signal)")
def churn_risk_organisations(scope: Scope) -> int:
    from tierdesk.surveys.models import SurveyResponse

    low = set(SurveyResponse.objects.filter(
        low=True, answered_at__gte=scope.period.start, answered_at__lt=scope.period.end,
    ).values_list("survey__organisation_id", flat=True))
    cancelled = set(_approved_cancellations().filter(
        decided_at__gte=scope.period.start, decided_at__lt=scope.period.end,
    ).values_list("organisation_id", flat=True))
    return len((low | cancelled) - {None})


@register("retention", label="Customer retention", unit="percent",
          source="Fire22 'Customer Retention: 92% customer retention rate' (handbook silent "
                 "on how it is counted: customers served in the previous period who did not "
                 "cancel in this one)")
def retention(scope: Scope) -> float | None:
    """Of the organisations with a ticket (within the report's filters) created in the
    previous period and not already leaving when this period began, the share that did
    not have a cancellation approved during this period. A cancellation is an approved
    cancellation request (refunds): its approval is the customer's decision to go,
    whatever notice follows; a cancellation refused or still pending loses no one.
    Tierdesk knows no contracts, so a customer who simply stops writing counts as kept."""
    previous = scope.period.previous()
    served = Ticket.objects.filter(
        scope.filters.q(), created_at__gte=previous.start, created_at__lt=previous.end,
        merged_into__isnull=True, organisation__isnull=False,
    ).values("organisation_id")
    cancelled = _approved_cancellations().filter(organisation_id__in=served)
    gone_before = cancelled.filter(decided_at__lt=scope.period.start).values("organisation_id")
    lost = cancelled.filter(decided_at__gte=scope.period.start,
                            decided_at__lt=scope.period.end).values("organisation_id")
    counts = (Organisation.objects.filter(pk__in=served).exclude(pk__in=gone_before)
              .aggregate(base=Count("pk"), lost=Count("pk", filter=Q(pk__in=lost))))
    return ratio(counts["base"] - counts["lost"], counts["base"])


@register("kb_accuracy", label="Knowledge base accuracy", unit="percent",
          source="DataFlow 9.3 'Knowledge Base Accuracy: 95% (manager reviews)'; 9.1 "
                 "'Managers: Review updates weekly for accuracy'")
def kb_accuracy(scope: Scope) -> float | None:
    """Of the decisions on the pack's accuracy review step made in the period, the share
    that approved the article as written (the rest asked for changes). Each review round
    is one decision, so an article sent back twice counts against accuracy twice."""
    counts = Review.objects.filter(
        step=ACCURACY_STEP, created_at__gte=scope.period.start, created_at__lt=scope.period.end,
    ).aggregate(decided=Count("id"),
                approved=Count("id", filter=Q(decision=Review.Decision.APPROVED)))
    return ratio(counts["approved"], counts["decided"])


@register("kb_articles_per_month", label="Articles published", unit="number",
          source="DataFlow 9 'Articles Published: 10/month'")
def kb_articles_per_month(scope: Scope) -> int:
    return Article.objects.filter(published_at__gte=scope.period.start,
                                  published_at__lt=scope.period.end).count()


@register("kb_article_views", label="Article views", unit="count",
          source="DataFlow 9 tracks deflection; handbook silent on views")
def kb_article_views(scope: Scope) -> int:
    months, cursor = set(), scope.period.start.date().replace(day=1)
    while cursor < scope.period.end.date():
        months.add(cursor.strftime("%Y-%m"))
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return MonthlyStat.objects.filter(month__in=months).aggregate(v=Sum("views"))["v"] or 0


@register("ticket_deflection", label="Bot conversations resolved without an agent",
          unit="percent",
          source="DataFlow 9 'Ticket Deflection: 20% reduction via self-service'; Fire22 "
                 "'AI chatbot handling 40% of routine inquiries'")
def ticket_deflection(scope: Scope) -> float | None:
    counts = BotConversation.objects.filter(
        created_at__gte=scope.period.start, created_at__lt=scope.period.end,
    ).aggregate(deflected=Count("id", filter=Q(outcome=BotConversation.Outcome.DEFLECTED)),
                ended=Count("id", filter=~Q(outcome=BotConversation.Outcome.OPEN)))
    return ratio(counts["deflected"], counts["ended"])
