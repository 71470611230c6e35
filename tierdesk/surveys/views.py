"""The public survey page a customer reaches from the link in the mail: no login; the
signed token is the only key. Opening the link never answers by itself (mail scanners
open links); the page shows the clicked score chosen and one button sends it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tierdesk.common.errors import Conflict, NotFound, ServiceError
from tierdesk.surveys import messages, services
from tierdesk.surveys.models import Survey, SurveyKind


def _choices(survey: Survey) -> list[tuple[int, str]]:
    labels = (messages.pick(messages.CSAT_LABELS, survey.language)
              if survey.kind == SurveyKind.CSAT and survey.scale_max == 5 else {})
    return [(n, labels.get(n, str(n))) for n in range(survey.scale_min, survey.scale_max + 1)]


def _error(survey: Survey, exc: ServiceError) -> str:
    """Return the refusal in the survey's language: the service speaks English to the API."""
    if exc.field == "score":
        return gettext("Please choose a score from %(low)s to %(high)s.") % {
            "low": survey.scale_min, "high": survey.scale_max}
    if exc.field == "comment":
        return gettext("Your comment is longer than 5,000 characters.")
    return exc.message


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = services.survey_for_token(token)
    except NotFound:
        return render(request, "surveys/answer.html", {"invalid": True}, status=404)
    with translation.override(survey.language):
        context = {"survey": survey, "choices": _choices(survey),
                   "chosen": request.GET.get("score", ""), "done": survey.answered_at is not None}
        if request.method == "GET" or context["done"]:
            status = 409 if request.method == "POST" else 200
            return render(request, "surveys/answer.html", context, status=status)
        try:
            services.survey_answer(token=token, score=request.POST.get("score"),
                                   comment=request.POST.get("comment", ""))
        except Conflict:
            return render(request, "surveys/answer.html", {**context, "done": True},
                          status=409)
        except ServiceError as exc:
            return render(request, "surveys/answer.html", {
                **context, "error": _error(survey, exc), "chosen": request.POST.get("score", ""),
                "comment": request.POST.get("comment", "")}, status=400)
        return render(request, "surveys/answer.html", {**context, "thanks": True})
