"""Link a ticket's fix to the knowledge base, or waive it with a reason (both audited).

Until Tierdesk has its own KB an article is a URL or an id of the team's KB. The pack's
``escalation.resolution.knowledge_base`` decides which tickets need one before closing.
"""

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket, TicketEvent
from tierdesk.tickets.services import locked


@transaction.atomic(durable=True)
def ticket_link_kb(*, ticket: Ticket, viewer: Viewer, article: str = "",
                   waiver: str = "") -> TicketEvent:
    """Record the KB article that holds this fix, or why none is written."""
    if not viewer.is_agent:
        raise Forbidden("only agents may link knowledge base articles")
    article, waiver = article.strip(), waiver.strip()
    if bool(article) == bool(waiver):
        raise ServiceError("give either the KB article (a URL or id) or a waiver with the "
                           "reason, not both", field="article")
    ticket = locked(ticket)
    now = clock.now()
    if article:
        return events.record(ticket, "kb_article_linked", viewer.user, now, article=article)
    return events.record(ticket, "kb_article_waived", viewer.user, now, reason=waiver)
