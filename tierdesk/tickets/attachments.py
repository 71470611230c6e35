"""Files on ticket messages, kept in Django's storage (MEDIA_ROOT by default, any storage
backend in production). Who may see a file follows who may see its message."""

import os
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets.models import Attachment, Message, Ticket

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def clean_filename(name: str) -> str:
    """Return a file name with no path and no characters that could trick a header."""
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return _UNSAFE.sub("_", base)[:200]


@transaction.atomic(durable=True)
def attachment_add(*, ticket: Ticket, message: Message, viewer: Viewer,
                   upload: UploadedFile) -> Attachment:
    """Store ``upload`` on ``message``: agents on any message of a ticket they see,
    customers only on their own replies."""
    return attach(ticket=ticket, message=message, viewer=viewer, upload=upload)


def attach(*, ticket: Ticket, message: Message, viewer: Viewer,
           upload: UploadedFile) -> Attachment:
    """``attachment_add`` for services that compose it inside their own transaction (the
    mail intake stores a mail's files with its ticket, all or nothing)."""
    if message.ticket_id != ticket.pk:
        raise ServiceError(f"message {message.pk} is not on ticket {ticket.pk}",
                           field="message_id")
    if not viewer.is_agent and (message.kind != Message.Kind.REPLY
                                or message.author_id != viewer.user.pk):
        raise Forbidden("customers may attach files to their own replies only")
    if upload.size is None or upload.size == 0:
        raise ServiceError("the file is empty", field="file")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ServiceError(f"files are limited to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB",
                           field="file")
    name = clean_filename(upload.name or "file")
    attachment = Attachment(message=message, filename=name, size=upload.size,
                            content_type=(upload.content_type or "application/octet-stream")[:100])
    attachment.file.save(name, upload, save=False)
    attachment.save()
    events.record(ticket, "attachment_added", viewer.user, clock.now(), message_id=message.pk,
                  attachment=attachment.pk, filename=name, size=upload.size)
    return attachment


def attachment_visible(*, attachment: Attachment, viewer: Viewer) -> bool:
    """Internal notes' files are for agents only."""
    return viewer.is_agent or attachment.message.kind == Message.Kind.REPLY
