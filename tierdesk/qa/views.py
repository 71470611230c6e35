"""QA pages in the workspace: the review queue, the scoring form, and "my scores"."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tierdesk.common.errors import ServiceError
from tierdesk.packs.selectors import active_pack
from tierdesk.qa import selectors, services
from tierdesk.qa.models import ReviewItem
from tierdesk.tickets.models import Ticket
from tierdesk.web.access import agent_page, forbidden


@require_GET
@agent_page
def queue(request: HttpRequest) -> HttpResponse:
    """The QA review queue and the calibration report (reviewers and managers)."""
    pack = active_pack()
    if not services.is_reviewer(request.viewer, pack):
        return forbidden(request, _("This page is for QA reviewers."))
    return render(request, "qa/queue.html", {
        "items": selectors.review_queue(viewer=request.viewer),
        "calibration": selectors.calibration_report(pack=pack),
        "recent": list(selectors.all_reviews()[:20]),
    })


@require_http_methods(["GET", "POST"])
@agent_page
def review(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Score one ticket against the pack's scorecard, with a comment per criterion."""
    pack = active_pack()
    if not services.is_reviewer(request.viewer, pack):
        return forbidden(request, _("This page is for QA reviewers."))
    ticket = get_object_or_404(Ticket.objects.select_related("assignee__user"), pk=ticket_id)
    quality = getattr(pack, "quality", None)
    item = ReviewItem.objects.filter(ticket=ticket).first()
    name = item.scorecard if item else (quality.default if quality else None)
    card = quality.scorecards.get(name) if quality else None
    error, status = None, 200
    values = {}
    if request.method == "POST":
        scores, comments = {}, {}
        for criterion in card.criteria if card else []:
            raw = request.POST.get(f"score_{criterion.code}", "")
            values[criterion.code] = {"score": raw,
                                      "comment": request.POST.get(f"comment_{criterion.code}",
                                                                  "").strip()}
            if raw.isdigit():
                scores[criterion.code] = int(raw)
            comments[criterion.code] = values[criterion.code]["comment"]
        try:
            services.review_submit(viewer=request.viewer, pack=pack, ticket=ticket,
                                   scores=scores, comments=comments,
                                   comment=request.POST.get("comment", "").strip())
        except ServiceError as exc:
            error, status = {"message": exc.message, "field": exc.field}, (
                403 if exc.status_code == 403 else 400)
        else:
            messages.success(request, _("Review saved for ticket #%(id)s.") % {"id": ticket.pk})
            return redirect("web:qa_queue")
    criteria = [{"code": c.code, "label": c.label, "weight": c.weight,
                 "score": values.get(c.code, {}).get("score", ""),
                 "comment": values.get(c.code, {}).get("comment", "")}
                for c in (card.criteria if card else [])]
    return render(request, "qa/review.html", {
        "ticket": ticket, "item": item, "card": card, "card_name": name,
        "criteria": criteria, "scale": range(1, (card.scale if card else 5) + 1),
        "error": error, "comment": request.POST.get("comment", ""),
        "messages_list": list(ticket.messages.order_by("id")[:50]),
    }, status=status)


@require_GET
@agent_page
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's own QA scores, and only theirs."""
    agent = request.viewer.agent
    reviews = list(selectors.reviews_of(agent.pk)) if agent else []
    return render(request, "qa/mine.html", {"reviews": reviews,
                                            "summary": selectors.agent_summary(reviews)})
