"""Link a ticket's fix to a knowledge-base article, or waive it with a reason (both audited).

The article must be a real article of Tierdesk's KB (``tierdesk.kb``): named ``KB-42``,
``42`` or by its page's URL (``.../kb/42/``). The pack's
``escalation.resolution.knowledge_base`` decides which tickets need one before closing.
"""

import re

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket, TicketEvent
from tierdesk.tickets.services import locked

_REFERENCE = re.compile(r"^(?:KB-?)?(\d{1,12})$", re.IGNORECASE)
_URL = re.compile(r"/kb/(\d{1,12})/?(?:[?#].*)?$")


def article_id(reference: str) -> int | None:
    """Return the article id ``reference`` names, or None if it names none."""
    match = _REFERENCE.match(reference) or _URL.search(reference)
    return int(match.group(1)) if match else None


@transaction.atomic(durable=True)
def ticket_link_kb(*, ticket: Ticket, viewer: Viewer, article: str = "",
                   waiver: str = "") -> TicketEvent:
    """Record the KB article that holds this fix, or why none is written."""
    from tierdesk.kb.models import Article  # the KB builds on tickets, not the reverse

    if not viewer.is_agent:
        raise Forbidden("only agents may link knowledge base articles")
    article, waiver = article.strip(), waiver.strip()
    if bool(article) == bool(waiver):
        raise ServiceError("give either the KB article (KB-42, its id or its URL) or a "
                           "waiver with the reason, not both", field="article")
    ticket = locked(ticket)
    now = clock.now()
    if article:
        pk = article_id(article)
        found = Article.objects.filter(pk=pk).exclude(status=Article.Status.ARCHIVED).first() \
            if pk is not None else None
        if found is None:
            raise ServiceError(f"{article!r} is no article of this knowledge base (give "
                               "KB-<id> of an article, written or in progress)",
                               field="article")
        title = found.translations.order_by("id").values_list("title", flat=True).first()
        return events.record(ticket, "kb_article_linked", viewer.user, now,
                             article=found.reference, article_id=found.pk, title=title,
                             status=found.status)
    return events.record(ticket, "kb_article_waived", viewer.user, now, reason=waiver)
