"""Risk pages in the workspace: the register with the weekly review, and the flag form."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk import clock
from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.packs.selectors import active_pack
from tierdesk.risks import selectors, services
from tierdesk.tickets.selectors import ticket_get
from tierdesk.web.access import agent_page, forbidden


@require_GET
@agent_page
def register(request: HttpRequest) -> HttpResponse:
    """The weekly risk review (new since the last review day, due, open) and the register
    as the viewer may see it."""
    pack = active_pack()
    if getattr(pack, "risks", None) is None:
        return render(request, "risks/register.html", {"no_register": True})
    review = selectors.weekly_review(viewer=request.viewer, pack=pack, now=clock.now())
    return render(request, "risks/register.html", {
        "review": review, "manager": services.can_manage(request.viewer, pack),
        "closed": list(selectors.risks_visible_to(request.viewer, pack)
                       .filter(status="closed")[:50]),
    })


@require_http_methods(["GET", "POST"])
@agent_page
def flag(request: HttpRequest) -> HttpResponse:
    """Flag a ticket the agent can see as a risk."""
    pack = active_pack()
    register_ = getattr(pack, "risks", None)
    source = request.POST if request.method == "POST" else request.GET
    form = {k: source.get(k, "").strip() for k in
            ("ticket_id", "category", "likelihood", "impact", "description")}
    error, status = None, 200
    if request.method == "POST":
        try:
            if not form["ticket_id"].isdigit():
                raise ServiceError(_("give the ticket number"), field="ticket_id")
            ticket = ticket_get(viewer=request.viewer, ticket_id=int(form["ticket_id"]))
            risk = services.risk_flag(viewer=request.viewer, pack=pack, ticket=ticket,
                                      category=form["category"],
                                      likelihood=form["likelihood"], impact=form["impact"],
                                      description=form["description"])
        except NotFound:
            error, status = {"message": _("No such ticket."), "field": "ticket_id"}, 400
        except ServiceError as exc:
            error, status = {"message": exc.message, "field": exc.field}, (
                403 if exc.status_code == 403 else 400)
        else:
            messages.success(request, _("Risk #%(id)s is in the register, owned by %(owner)s.")
                             % {"id": risk.pk, "owner": risk.owner or risk.owner_label})
            return redirect("web:risks")
    return render(request, "risks/flag.html", {"form": form, "register": register_,
                                               "error": error}, status=status)


@require_POST
@agent_page
def reviewed(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Record this week's review of a risk (or close it) from the weekly review."""
    pack = active_pack()
    risk = selectors.risks_visible_to(request.viewer, pack).filter(pk=risk_id).first()
    if risk is None:
        from django.http import Http404

        raise Http404
    if not services.can_manage(request.viewer, pack, risk):
        return forbidden(request, _("Only the risk's owner, the risk manager and managers "
                                    "review risks."))
    close = request.POST.get("close") == "1"
    try:
        services.risk_update(viewer=request.viewer, pack=pack, risk=risk,
                             status="closed" if close else None, reviewed=not close,
                             resolution=request.POST.get("resolution") or None)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:risks")
    messages.success(request, _("Risk #%(id)s closed.") % {"id": risk.pk} if close
                     else _("Risk #%(id)s reviewed.") % {"id": risk.pk})
    return redirect("web:risks")
