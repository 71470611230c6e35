"""``{% refund_card ticket %}``: the ticket page's refund form and the ticket's requests,
so the ticket page itself needs one line to show them."""

from django import template

from tierdesk.packs.selectors import active_pack
from tierdesk.refunds import services
from tierdesk.refunds.models import Kind, RefundRequest

register = template.Library()


@register.inclusion_tag("refunds/_ticket_card.html", takes_context=True)
def refund_card(context, ticket) -> dict:
    pack = active_pack()
    refunds = pack.refunds if pack is not None else None
    requests = RefundRequest.objects.filter(ticket=ticket).order_by("-id")[:10]
    return {
        "ticket": ticket, "enabled": refunds is not None, "kinds": Kind.choices,
        "currency": refunds.currency if refunds else "",
        "plans": pack.plans if pack is not None else [],
        "plan": ticket.organisation.plan if ticket.organisation_id else "",
        "requests": [(r, services.money(r.amount_minor, r.currency)) for r in requests],
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def money(row) -> str:
    """``{{ request|money }}``: a request's or ledger entry's amount as people read it."""
    return services.money(row.amount_minor, row.currency)
