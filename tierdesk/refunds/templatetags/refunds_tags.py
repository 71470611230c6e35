"""``{% refund_card ticket %}``: the ticket page's refund form and the ticket's requests,
so the ticket page itself needs one line to show them."""

from functools import cache

from django import template
from django.db import connection

from tierdesk.common import prepared
from tierdesk.packs.selectors import active_pack
from tierdesk.refunds import services
from tierdesk.refunds.models import Kind, RefundRequest

register = template.Library()


@register.inclusion_tag("refunds/_ticket_card.html", takes_context=True)
def refund_card(context, ticket) -> dict:
    pack = active_pack()
    refunds = pack.refunds if pack is not None else None
    sql, cols = _requests_statement(connection.vendor)
    requests = [cols.build(row) for row in prepared.fetch_all(sql, [ticket.pk])]
    return {
        "ticket": ticket, "enabled": refunds is not None, "kinds": Kind.choices,
        "currency": refunds.currency if refunds else "",
        "plans": pack.plans if pack is not None else [],
        "plan": ticket.organisation.plan if ticket.organisation_id else "",
        "requests": [(r, services.money(r.amount_minor, r.currency)) for r in requests],
        "csrf_token": context.get("csrf_token"),
    }


@cache
def _requests_statement(vendor: str) -> tuple[str, prepared.Columns]:
    """The ticket's last ten requests (``filter(ticket=...).order_by("-id")[:10]``),
    prepared once: the card is on every ticket page."""
    quote = connection.ops.quote_name
    cols = prepared.Columns(RefundRequest, "r")
    return (f"SELECT {cols.sql} FROM {quote(RefundRequest._meta.db_table)} r"
            f" WHERE r.{quote('ticket_id')} = %s ORDER BY r.{quote('id')} DESC LIMIT 10"), cols


@register.filter
def money(row) -> str:
    """``{{ request|money }}``: a request's or ledger entry's amount as people read it."""
    return services.money(row.amount_minor, row.currency)
