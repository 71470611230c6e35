"""The ticket page's other actions: presence heartbeats (the collision notice), merging,
linking to an incident, and attachment downloads for agents and customers."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk import clock
from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.incidents import selectors as incident_selectors
from tierdesk.incidents import services as incident_services
from tierdesk.people.access import Viewer
from tierdesk.tickets import attachments, selectors, services
from tierdesk.tickets.models import Attachment, Ticket
from tierdesk.web.access import agent_page, customer_page
from tierdesk.web.agent_views import _page
from tierdesk.workspace import services as workspace
from tierdesk.workspace.selectors import others_on_ticket


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return selectors.ticket_get(viewer=request.viewer, ticket_id=ticket_id)


@require_POST
@agent_page
def presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Heartbeat from an open ticket page (htmx, every few seconds); answers with the
    notice naming the other agents who have the ticket open."""
    ticket = _ticket(request, ticket_id)
    state = request.POST.get("state", "viewing")
    try:
        workspace.presence_heartbeat(ticket=ticket, viewer=request.viewer, state=state)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    others = others_on_ticket(ticket=ticket, viewer=request.viewer, now=clock.now())
    return render(request, "web/agent/_presence.html", {"others": others})


@require_POST
@agent_page
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Fold this ticket into another the agent can see; the page of the target follows."""
    ticket = _ticket(request, ticket_id)
    raw = request.POST.get("target", "").strip().lstrip("#")
    try:
        if not raw.isdigit():
            raise ServiceError(_("Enter the number of the ticket to merge into."),
                               field="target")
        try:
            target = _ticket(request, int(raw))
        except NotFound:
            raise ServiceError(_("Ticket #%(id)s is not one you can see.") % {"id": raw},
                               field="target") from None
        services.ticket_merge(source=ticket, target=target, viewer=request.viewer)
    except ServiceError as exc:
        return _page(request, _ticket(request, ticket_id), 400,
                     merge={"target": raw, "error": exc.message})
    messages.success(request, _("Ticket #%(source)s merged into #%(target)s.")
                     % {"source": ticket_id, "target": target.pk})
    return redirect("web:ticket", ticket_id=target.pk)


@require_POST
@agent_page
def link_incident(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Link this ticket to an open incident (its updates then reach the requester)."""
    ticket = _ticket(request, ticket_id)
    raw = request.POST.get("incident", "")
    try:
        if not raw.isdigit():
            raise ServiceError(_("Choose an incident."), field="incident")
        try:
            incident = incident_selectors.incident_get(viewer=request.viewer,
                                                       incident_id=int(raw))
        except NotFound:
            raise ServiceError(_("No such incident."), field="incident") from None
        links = incident_services.incident_link_tickets(incident=incident,
                                                        viewer=request.viewer,
                                                        tickets=[ticket])
    except ServiceError as exc:
        return _page(request, _ticket(request, ticket_id), 400,
                     link={"incident": raw, "error": exc.message})
    if links:
        messages.success(request, _("Linked to incident “%(title)s”.")
                         % {"title": incident.title})
    else:
        messages.info(request, _("Already linked to incident “%(title)s”.")
                      % {"title": incident.title})
    return redirect("web:ticket", ticket_id=ticket_id)


def _download(viewer: Viewer, ticket: Ticket, attachment_id: int) -> HttpResponse:
    attachment = Attachment.objects.select_related("message").filter(
        pk=attachment_id, message__ticket=ticket).first()
    if attachment is None or not attachments.attachment_visible(attachment=attachment,
                                                                viewer=viewer):
        raise Http404("no such attachment")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    # Always a download, never rendered by the browser: a file is customer content.
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@agent_page
def download(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    return _download(request.viewer, _ticket(request, ticket_id), attachment_id)


@require_GET
@customer_page
def portal_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    return _download(request.viewer, _ticket(request, ticket_id), attachment_id)
