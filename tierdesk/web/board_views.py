"""The manager's SLA board (DataFlow: "Real-time SLA dashboard"), refreshed by polling."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tierdesk import clock
from tierdesk.packs.selectors import active_version
from tierdesk.tickets import priorities
from tierdesk.web import queues
from tierdesk.web.access import manager_page
from tierdesk.web.incident_views import open_incidents

POLL_SECONDS = 15


@require_GET
@manager_page
def sla_board(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    context = {
        "board": queues.sla_board(viewer=request.viewer, priorities=list(priorities.known()),
                                  now=now),
        "version": active_version(), "now": now, "poll": POLL_SECONDS,
        "incidents": open_incidents(),
    }
    if request.htmx:
        return render(request, "web/agent/_board.html", context)
    return render(request, "web/agent/board.html", context)
