"""Inbound integration endpoints: Jira tells us when a linked issue changes status.

Jira cannot hold a Tierdesk API token, so the router has no user authentication;
instead every request must carry Jira Cloud's HMAC signature of the raw body made with
the shared secret. The body is read raw (not through a schema) because the signature
covers the exact bytes sent.
"""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply

from tierdesk import clock
from tierdesk.api.errors import error_body
from tierdesk.integrations import services
from tierdesk.integrations.signing import verify_jira_signature

router = Router(tags=["integrations"], auth=None)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, Any]] = []


class JiraWebhookOut(Schema):
    changed: bool
    key: str | None = None
    status: str | None = None


def _status_change(payload: dict[str, Any]) -> tuple[str | None, str] | None:
    """Return (old, new) status names from the changelog, or None if status did not move."""
    for item in (payload.get("changelog") or {}).get("items") or []:
        if isinstance(item, dict) and item.get("field") == "status" and item.get("toString"):
            return item.get("fromString"), str(item["toString"])
    return None


@router.post("/jira/webhook", response={200: JiraWebhookOut, 400: ErrorOut, 401: ErrorOut,
                                        404: ErrorOut})
def jira_webhook(request: HttpRequest):
    """Apply a Jira ``jira:issue_updated`` status change to the linked ticket.

    Answers 404 while ``TIERDESK_JIRA_WEBHOOK_SECRET`` is unset (the integration is
    off), 401 on a missing or wrong ``X-Hub-Signature``, 400 on a body that is not a
    JSON object, 404 for an issue no ticket is linked to, and 200 otherwise; events
    other than a status change are acknowledged and ignored.
    """
    secret = settings.JIRA_WEBHOOK_SECRET
    if not secret:
        return Reply(404, error_body("not_found", "the Jira integration is not configured"))
    body = request.body
    if not verify_jira_signature(secret, body, request.headers.get("X-Hub-Signature")):
        return Reply(401, error_body("bad_signature",
                                     "X-Hub-Signature is missing or does not match the body",
                                     "header.X-Hub-Signature"))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Reply(400, error_body("malformed_json", "request body is not valid JSON", "body"))
    if not isinstance(payload, dict):
        return Reply(400, error_body("malformed_json", "request body must be a JSON object",
                                     "body"))
    change = _status_change(payload)
    if payload.get("webhookEvent") != "jira:issue_updated" or change is None:
        return Reply(200, {"changed": False})
    issue = payload.get("issue")
    key = issue.get("key") if isinstance(issue, dict) else None
    if not isinstance(key, str) or not key:
        return Reply(400, error_body("invalid", "issue.key is required", "issue.key"))
    old, new = change
    # NotFound (unknown issue key) becomes the API's 404 JSON answer.
    link, changed = services.jira_status_change(issue_key=key, old=old, new=new,
                                                at=clock.now())
    return Reply(200, {"changed": changed, "key": link.issue_key, "status": link.status})
