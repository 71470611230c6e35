"""Survey figures for the reports: response rate, averages, NPS, follow-up speed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, Q, QuerySet

from tierdesk.people.access import Viewer
from tierdesk.surveys.models import Survey, SurveyKind, SurveyResponse
from tierdesk.tasks.models import Task
from tierdesk.tickets.selectors import tickets_visible_to

# DataFlow 8.2 "Negative Feedback Resolution: 90% within 48 hours".
RESOLVED_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class SurveyStats:
    kind: str
    sent: int
    answered: int
    response_rate: float | None  # answered / sent, 0..1
    average: float | None  # mean score on the survey's own scale
    satisfied_share: float | None  # CSAT: share of the top two scores (CSAT %)
    nps: float | None  # NPS: % promoters - % detractors, -100..100
    low: int
    low_followed_up_in_time: float | None  # share of low-score tasks done within 48h


def survey_stats(*, kind: str = SurveyKind.CSAT, since: datetime | None = None,
                 until: datetime | None = None,
                 organisation_id: int | None = None) -> SurveyStats:
    """Return the figures of the surveys of ``kind`` sent in [since, until)."""
    surveys = Survey.objects.filter(kind=kind, state=Survey.State.SENT)
    if since is not None:
        surveys = surveys.filter(sent_at__gte=since)
    if until is not None:
        surveys = surveys.filter(sent_at__lt=until)
    if organisation_id is not None:
        surveys = surveys.filter(organisation_id=organisation_id)
    sent = surveys.count()
    answers = SurveyResponse.objects.filter(survey__in=surveys)
    figures = answers.aggregate(
        answered=Count("id"), average=Avg("score"), low=Count("id", filter=Q(low=True)),
        top=Count("id", filter=Q(score__gte=F("survey__scale_max") - 1)),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)))
    answered = figures["answered"]
    low_tasks = Task.objects.filter(
        source="surveys", key__in=[f"survey:{pk}:follow_up" for pk in
                                   answers.filter(low=True).values_list("survey_id", flat=True)])
    in_time = sum(1 for created, done in low_tasks.values_list("created_at", "done_at")
                  if done is not None and done - created <= RESOLVED_WITHIN)
    return SurveyStats(
        kind=kind, sent=sent, answered=answered,
        response_rate=answered / sent if sent else None,
        average=round(figures["average"], 2) if figures["average"] is not None else None,
        satisfied_share=(figures["top"] / answered if answered and kind == SurveyKind.CSAT
                         else None),
        nps=(round(100 * (figures["promoters"] - figures["detractors"]) / answered, 1)
             if answered and kind == SurveyKind.NPS else None),
        low=figures["low"],
        low_followed_up_in_time=in_time / low_tasks.count() if low_tasks.exists() else None,
    )


def surveys_visible_to(viewer: Viewer, ticket_id: int | None = None) -> QuerySet[Survey]:
    """Return the surveys on tickets ``viewer`` (an agent) may see."""
    surveys = Survey.objects.select_related("response", "contact").filter(
        ticket__in=tickets_visible_to(viewer).values("pk"))
    if ticket_id is not None:
        surveys = surveys.filter(ticket_id=ticket_id)
    return surveys
