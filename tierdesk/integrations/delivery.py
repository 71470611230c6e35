"""Deliver outbox messages of kind "slack" and "jira" with the vendors' own client libraries.

The outbox worker calls these outside any transaction. Any exception means "not
delivered": the outbox records the attempt and retries with backoff, then dead-letters.
Both clients get their own retries turned off, so one worker is never stuck sleeping
inside a library while other messages wait; retrying is the outbox's job.
"""

import logging

from django.conf import settings

from tierdesk import clock
from tierdesk.integrations import services
from tierdesk.outbox.models import OutboxMessage
from tierdesk.outbox.services import DeliveryError
from tierdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


def deliver_slack(message: OutboxMessage) -> None:
    """Post ``payload.text`` to ``payload.channel``; raise unless Slack answers ``ok``.

    ``slack_sdk`` raises ``SlackApiError`` for ``{"ok": false}`` and for HTTP errors,
    and ``URLError`` when nobody listens. Slack has no idempotency key, so a worker
    that dies between posting and recording may post twice (at-least-once).
    """
    from slack_sdk import WebClient

    if not settings.SLACK_BOT_TOKEN:
        raise DeliveryError("Slack is not configured (TIERDESK_SLACK_BOT_TOKEN)")
    client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL,
                       timeout=TIMEOUT_SECONDS, retry_handlers=[])
    payload = message.payload
    response = client.chat_postMessage(channel=payload["channel"], text=payload["text"])
    if not response.get("ok"):  # the SDK already raises; this guards a changed SDK default
        raise DeliveryError(f"Slack answered {response.get('error', 'not ok')}")
    log.info("slack message %s posted to %s (ts %s)", message.pk, payload["channel"],
             response.get("ts"), extra={"ticket_id": message.ticket_id})


def deliver_jira(message: OutboxMessage) -> None:
    """Open the Jira issue, then link it to the ticket with a ``jira_issue_opened`` event.

    1. If an earlier try of this message already recorded its link, stop: the issue
       exists (the worker died after recording, before marking the message delivered).
    2. Create the issue with ``prefetch=False``: the client's default re-reads the
       issue with a second request, and a failure there would retry the whole
       delivery and open a duplicate.
    3. Record the link and the event in one transaction.

    A worker that dies between steps 2 and 3 leaves an issue with no link and the
    retry opens a second one: Jira's create has no idempotency key to prevent that.
    """
    from jira import JIRA

    if services.jira_link_for_delivery(outbox_message_id=message.pk) is not None:
        log.info("jira message %s was already recorded; not opening a second issue",
                 message.pk, extra={"ticket_id": message.ticket_id})
        return
    if not settings.JIRA_URL:
        raise DeliveryError("Jira is not configured (TIERDESK_JIRA_URL)")
    if message.ticket_id is None or not Ticket.objects.filter(pk=message.ticket_id).exists():
        # Without a ticket there is nothing to link, and no way to notice a retry.
        raise DeliveryError(f"ticket {message.ticket_id} does not exist")
    payload = message.payload
    client = JIRA(server=settings.JIRA_URL,
                  basic_auth=(settings.JIRA_USER, settings.JIRA_TOKEN),
                  get_server_info=False, max_retries=0, timeout=TIMEOUT_SECONDS)
    try:
        issue = client.create_issue(fields={
            "project": {"key": payload["project"]},
            "summary": payload["summary"],
            "description": payload["description"],
            "issuetype": {"name": payload["issue_type"]},
        }, prefetch=False)
    finally:
        client.close()
    services.jira_link_record(ticket_id=message.ticket_id, issue_key=issue.key,
                              outbox_message_id=message.pk, at=clock.now())
    log.info("jira issue %s opened for outbox message %s", issue.key, message.pk,
             extra={"ticket_id": message.ticket_id})
