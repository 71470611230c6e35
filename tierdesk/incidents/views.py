"""The public status page (no login): what DataFlow calls status.dataflow.com.

Only public incidents and their public updates appear, never ticket, customer or agent
data. Responses may be cached for a few seconds: during an outage everybody reloads this
page at once, and a 30 s old answer is still a good one.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from tierdesk.incidents import selectors

CACHE_SECONDS = 30


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def status_page(request: HttpRequest) -> HttpResponse:
    """Render open public incidents (newest first) or "All systems operational"."""
    incidents = selectors.status_page_incidents()
    return render(request, "incidents/status.html", {
        "incidents": incidents,
        "status": "degraded" if incidents else "operational",
    })


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def status_json(request: HttpRequest) -> JsonResponse:
    """Return ``{"status": "operational"|"degraded", "incidents": [...]}`` for monitors."""
    return JsonResponse(selectors.status_page_data())
