"""``POST /api/v1/channels/email/inbound``: a mail provider's inbound hook.

The body is the raw RFC 5322 message (``Content-Type: message/rfc822``). A mail
provider cannot hold a user's API token, so the hook is authenticated by a shared
secret instead: the ``X-Tierdesk-Inbound-Secret`` header must equal
``TIERDESK_MAIL_INBOUND_SECRET`` (compared in constant time). While that setting is
empty the endpoint answers 404 (the door is closed).
"""

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply

from tierdesk.api.errors import error_body
from tierdesk.mail.services import ingest

router = Router(tags=["channels"], auth=None)
SECRET_HEADER = "X-Tierdesk-Inbound-Secret"


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, Any]] = []


class InboundOut(Schema):
    inbound_id: int
    outcome: str
    ticket_id: int | None = None
    reason: str = ""
    result: str


@router.post("/email/inbound", response={200: InboundOut, 401: ErrorOut, 404: ErrorOut,
                                          413: ErrorOut, 415: ErrorOut, 422: InboundOut})
def email_inbound(request: HttpRequest):
    """File one raw message; the answer says what happened to it and why.

    200 for a message filed (created, threaded, duplicate, suppressed, loop); 422 for
    one stored but failed (it waits in the failed-mail store); 401 without the right
    secret, 415 for another Content-Type, 413 over the size limit, 404 while off.
    """
    secret = settings.MAIL_INBOUND_SECRET
    if not secret:
        return Reply(404, error_body("not_found", "the inbound email hook is not configured"))
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return Reply(401, error_body("bad_secret", f"{SECRET_HEADER} is missing or wrong",
                                     f"header.{SECRET_HEADER}"))
    ctype = request.content_type or ""
    if ctype.lower() != "message/rfc822":
        return Reply(415, error_body("unsupported_media_type",
                                     "send the raw message with Content-Type: message/rfc822",
                                     "header.Content-Type"))
    # Read from the stream: mail is bigger than the API's JSON body limit
    # (DATA_UPLOAD_MAX_MEMORY_SIZE), and has its own (TIERDESK_MAIL_MAX_MESSAGE_BYTES).
    limit = settings.MAIL_MAX_MESSAGE_BYTES
    body = request.read(limit + 1) if not hasattr(request, "_body") else request.body
    if len(body) > limit:
        return Reply(413, error_body("too_large", f"the message is over "
                                     f"{settings.MAIL_MAX_MESSAGE_BYTES} bytes", "body"))
    result = ingest(body, source="http")
    return Reply(422 if result.outcome == "failed" else 200, result.as_dict())
