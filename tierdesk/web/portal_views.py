"""The customer portal: submit a request with the plan's SLA promise shown first, follow
and answer the organisation's tickets. Everything goes through the ticket services."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk.common.errors import ServiceError
from tierdesk.packs.selectors import active_pack
from tierdesk.tickets import attachments, selectors, services
from tierdesk.tickets.models import Channel
from tierdesk.tickets.statuses import UNRESOLVED
from tierdesk.web.access import customer_page
from tierdesk.web.promises import channel_rules, sla_promises
from tierdesk.web.ticket_view import with_quoted_history


@require_GET
@customer_page
def portal(request: HttpRequest) -> HttpResponse:
    tickets = list(selectors.tickets_visible_to(request.viewer)
                   .select_related("requester").order_by("-updated_at", "-id")[:200])
    return render(request, "web/portal/home.html", {
        "open": [t for t in tickets if t.status in UNRESOLVED],
        "done": [t for t in tickets if t.status not in UNRESOLVED],
    })


def _form_context(request: HttpRequest, form: dict) -> dict:
    pack = active_pack()
    org = request.viewer.contact.organisation
    return {
        "form": form, "organisation": org,
        "promises": sla_promises(pack, org) if pack else [],
        "channel_rules": channel_rules(pack, org) if pack else [],
        "categories": list(pack.categories) if pack else [],
        "error_codes": sorted((code, e.title) for code, e in pack.error_codes.items())
        if pack else [],
    }


@require_http_methods(["GET", "POST"])
@customer_page
def new_request(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "web/portal/new.html", _form_context(request, {}))
    form = {k: request.POST.get(k, "") for k in ("subject", "category", "error_code", "body")}
    files = request.FILES.getlist("files")
    try:
        for upload in files:  # refused before the ticket is made
            attachments.check_upload(upload)
        ticket, _created = services.ticket_create(
            viewer=request.viewer, subject=form["subject"], body=form["body"],
            requester=request.viewer.contact, channel=Channel.PORTAL,
            category=form["category"], error_code=form["error_code"], route_language=True,
        )
        first = ticket.messages.order_by("id").first()
        for upload in files:
            attachments.attachment_add(ticket=ticket, message=first, viewer=request.viewer,
                                       upload=upload)
    except ServiceError as exc:
        form["error"], form["field"] = exc.message, exc.field
        return render(request, "web/portal/new.html", _form_context(request, form), status=400)
    messages.success(request, _("Request #%(id)s sent.") % {"id": ticket.pk})
    return redirect("web:portal_ticket", ticket_id=ticket.pk)


@require_GET
@customer_page
def promise(request: HttpRequest) -> HttpResponse:
    """The promise for the error code being chosen (htmx, before the request is sent)."""
    pack = active_pack()
    org = request.viewer.contact.organisation
    code = request.GET.get("error_code", "").strip().upper()
    entry = pack.error_codes.get(code) if pack is not None and code else None
    chosen = None
    if entry is not None and entry.priority:
        chosen = next((p for p in sla_promises(pack, org) if p.priority == entry.priority),
                      None)
    return render(request, "web/portal/_promise.html",
                  {"code": code, "entry": entry, "chosen": chosen})


@require_GET
@customer_page
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    viewer = request.viewer
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    conversation = with_quoted_history(selectors.ticket_messages(
        viewer=viewer, ticket=ticket).select_related("author"))
    return render(request, "web/portal/ticket.html", {
        "ticket": ticket, "conversation": conversation, "form": {},
    })


@require_POST
@customer_page
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    viewer = request.viewer
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id)
    body = request.POST.get("body", "")
    try:
        attachments.ticket_reply_with_files(ticket=ticket, viewer=viewer, body=body,
                                            files=request.FILES.getlist("files"))
    except ServiceError as exc:
        conversation = with_quoted_history(selectors.ticket_messages(viewer=viewer,
                                                                     ticket=ticket))
        return render(request, "web/portal/ticket.html", {
            "ticket": ticket, "conversation": conversation,
            "form": {"body": body, "error": exc.message}}, status=400)
    messages.success(request, _("Reply sent."))
    return redirect("web:portal_ticket", ticket_id=ticket_id)
