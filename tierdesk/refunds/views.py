"""Refund pages in the agent workspace: the ticket page's request form, and the queue
where each level of the ladder decides what was routed to it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.refunds import selectors, services
from tierdesk.tickets.selectors import ticket_get
from tierdesk.web.access import agent_page


def _context(request: HttpRequest, **extra) -> dict:
    viewer = request.viewer
    return {
        "awaiting": list(selectors.awaiting(viewer)[:200]),
        "recent": list(selectors.requests_visible_to(viewer)[:50]),
        "ledger": (list(selectors.ledger()[:50]) if selectors.may_read_ledger(viewer)
                   else None),
        **extra,
    }


@require_GET
@agent_page
def refund_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "refunds/queue.html", _context(request))


@require_GET
@agent_page
def refund_page(request: HttpRequest, request_id: int) -> HttpResponse:
    found = selectors.request_get(viewer=request.viewer, request_id=request_id)
    return render(request, "refunds/queue.html", _context(request, focus=found))


def _decide(request: HttpRequest, request_id: int, approve: bool) -> HttpResponse:
    found = selectors.request_get(viewer=request.viewer, request_id=request_id)
    note = request.POST.get("note", "")
    try:
        if approve:
            services.refund_approve(viewer=request.viewer, request=found, note=note)
        else:
            services.refund_refuse(viewer=request.viewer, request=found, note=note)
    except ServiceError as exc:
        status = 403 if isinstance(exc, Forbidden) else exc.status_code
        return render(request, "refunds/queue.html",
                      _context(request, error=exc.message, focus=found), status=status)
    text = (_("Approved request #%(id)s.") if approve
            else _("Refused request #%(id)s.")) % {"id": found.pk}
    messages.success(request, text)
    return redirect("web:refunds")


@require_POST
@agent_page
def refund_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@require_POST
@agent_page
def refund_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=False)


@require_POST
@agent_page
def ticket_refund(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's form: approved at once within the agent's limit, else routed."""
    ticket = ticket_get(viewer=request.viewer, ticket_id=ticket_id)
    post = request.POST
    days = post.get("days_since_charge", "").strip()
    try:
        if days and not days.isdigit():
            raise ServiceError(_("days since the charge must be a whole number"),
                               field="days_since_charge")
        made = services.refund_request(
            viewer=request.viewer, ticket=ticket, kind=post.get("kind", "refund"),
            amount=post.get("amount", "").strip() or "0",
            currency=post.get("currency", "").strip().upper(),
            reason=post.get("reason", ""), days_since_charge=int(days) if days else None,
            plan=post.get("plan", "").strip(),
            contract_dispute=post.get("contract_dispute") == "on",
            payment_reference=post.get("payment_reference", ""))
    except ServiceError as exc:
        messages.error(request, _("Refund request not recorded: %(why)s") % {"why": exc.message})
        return redirect("web:ticket", ticket_id=ticket_id)
    if made.status == "approved":
        messages.success(request, _("Approved within your limit: %(amount)s.") % {
            "amount": services.money(made.amount_minor, made.currency)})
    else:
        messages.success(request, _("Above your limit: routed to %(role)s.") % {
            "role": made.decides_role.replace("_", " ")})
    return redirect("web:ticket", ticket_id=ticket_id)
