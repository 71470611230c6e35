"""Queue messages for the outside teams (Slack, Jira, webhooks) through the outbox.

Each function returns False when its integration is not configured (they are off until
an operator sets them up), True once the message is queued for delivery after commit.
"""

from datetime import datetime
from typing import Any

from django.conf import settings

from tierdesk.outbox import services as outbox


def post_slack(*, channel: str, text: str, ticket_id: int | None, at: datetime) -> bool:
    if not settings.SLACK_BOT_TOKEN:
        return False
    outbox.enqueue(kind="slack", ticket_id=ticket_id, at=at,
                   payload={"channel": channel, "text": text})
    return True


def open_jira(*, project: str, issue_type: str, summary: str, description: str,
              ticket_id: int | None, at: datetime) -> bool:
    if not settings.JIRA_URL:
        return False
    outbox.enqueue(kind="jira", ticket_id=ticket_id, at=at, payload={
        "project": project, "issue_type": issue_type, "summary": summary,
        "description": description})
    return True


def send_webhook(*, url: str, event: str, body: dict[str, Any], ticket_id: int | None,
                 at: datetime) -> bool:
    if not settings.WEBHOOK_SECRET:
        return False
    outbox.enqueue(kind="webhook", ticket_id=ticket_id, at=at, payload={
        "url": url, "secret": settings.WEBHOOK_SECRET, "body": {"event": event, **body}})
    return True
