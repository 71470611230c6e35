"""The write paths for integration state: each change and its audit event in one transaction."""

from datetime import datetime

from django.db import IntegrityError, transaction

from tierdesk.common.errors import NotFound
from tierdesk.integrations.models import JiraLink
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket


def jira_link_for_delivery(*, outbox_message_id: int) -> JiraLink | None:
    """Return the link an earlier try of this delivery recorded, if any."""
    return JiraLink.objects.filter(outbox_message_id=outbox_message_id).first()


@transaction.atomic(durable=True)
def jira_link_record(*, ticket_id: int, issue_key: str, outbox_message_id: int | None,
                     at: datetime, status: str = "") -> JiraLink:
    """Link a newly opened Jira issue to its ticket and write ``jira_issue_opened``.

    Called by the outbox worker right after Jira answered. If a concurrent worker
    recorded the same delivery first, return its link instead of failing the delivery.
    """
    ticket = Ticket.objects.get(pk=ticket_id)
    try:
        with transaction.atomic():
            link = JiraLink.objects.create(
                ticket=ticket, issue_key=issue_key, status=status,
                outbox_message_id=outbox_message_id, created_at=at, updated_at=at)
    except IntegrityError:
        existing = (JiraLink.objects.filter(outbox_message_id=outbox_message_id).first()
                    if outbox_message_id is not None else None)
        if existing is None:
            raise
        return existing
    events.record(ticket, "jira_issue_opened", None, at, key=issue_key,
                  outbox_message_id=outbox_message_id)
    return link


@transaction.atomic(durable=True)
def jira_status_change(*, issue_key: str, old: str | None, new: str,
                       at: datetime) -> tuple[JiraLink, bool]:
    """Record that Jira moved ``issue_key`` to status ``new``; return (link, changed).

    A repeat of a status the link already has (Jira retries its webhooks, and its
    signature does not stop a replay) changes nothing and writes no event.
    """
    link = JiraLink.objects.select_for_update().filter(issue_key=issue_key).first()
    if link is None:
        raise NotFound(f"no ticket is linked to Jira issue {issue_key}", field="issue.key")
    if link.status == new:
        return link, False
    previous = old if old is not None else link.status
    link.status = new
    link.updated_at = at
    link.save(update_fields=["status", "updated_at"])
    events.record(link.ticket, "jira_status_changed", None, at, key=issue_key, old=previous,
                  new=new)
    return link, True
