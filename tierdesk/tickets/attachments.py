"""Files on ticket messages, kept in Django's storage (MEDIA_ROOT by default, any storage
backend in production). Who may see a file follows who may see its message."""

import os
import re
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.people.access import Viewer
from tierdesk.tickets import events, services
from tierdesk.tickets.models import Attachment, Channel, Message, Ticket

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_MESSAGE = 10
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def clean_filename(name: str) -> str:
    """Return a file name with no path and no characters that could trick a header."""
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return _UNSAFE.sub("_", base)[:200]


def check_upload(upload: UploadedFile) -> None:
    """Refuse an empty or oversized file before anything is written."""
    if upload.size is None or upload.size == 0:
        raise ServiceError(_("the file '%(name)s' is empty")
                           % {"name": clean_filename(upload.name or "file")}, field="file")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ServiceError(_("files are limited to %(n)s MiB")
                           % {"n": MAX_ATTACHMENT_BYTES // (1024 * 1024)}, field="file")


@transaction.atomic(durable=True)
def attachment_add(*, ticket: Ticket, message: Message, viewer: Viewer,
                   upload: UploadedFile) -> Attachment:
    """Store ``upload`` on ``message``: agents on any message of a ticket they see,
    customers only on their own replies."""
    return add(ticket=ticket, message=message, viewer=viewer, upload=upload)


def add(*, ticket: Ticket, message: Message, viewer: Viewer,
        upload: UploadedFile) -> Attachment:
    """``attachment_add`` for services that compose it inside their own transaction (the
    mail intake stores a mail's files with its ticket, all or nothing)."""
    if message.ticket_id != ticket.pk:
        raise ServiceError(f"message {message.pk} is not on ticket {ticket.pk}",
                           field="message_id")
    if not viewer.is_agent and (message.kind != Message.Kind.REPLY
                                or message.author_id != viewer.user.pk):
        raise Forbidden("customers may attach files to their own replies only")
    check_upload(upload)
    name = clean_filename(upload.name or "file")
    attachment = Attachment(message=message, filename=name, size=upload.size,
                            content_type=(upload.content_type or "application/octet-stream")[:100])
    attachment.file.save(name, upload, save=False)
    attachment.save()
    events.record(ticket, "attachment_added", viewer.user, clock.now(), message_id=message.pk,
                  attachment=attachment.pk, filename=name, size=upload.size)
    return attachment


@transaction.atomic(durable=True)
def ticket_reply_with_files(*, ticket: Ticket, viewer: Viewer, body: str,
                            files: Iterable[UploadedFile] = (),
                            channel: str = Channel.PORTAL) -> Message:
    """A public reply and its files in one transaction: a refused file sends no reply."""
    files = list(files)
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ServiceError(_("at most %(n)s files per message") % {"n": MAX_FILES_PER_MESSAGE},
                           field="file")
    for upload in files:
        check_upload(upload)
    message = services.reply(ticket=ticket, viewer=viewer, body=body, channel=channel)
    for upload in files:
        add(ticket=ticket, message=message, viewer=viewer, upload=upload)
    return message


def attachment_visible(*, attachment: Attachment, viewer: Viewer) -> bool:
    """Internal notes' files are for agents only."""
    return viewer.is_agent or attachment.message.kind == Message.Kind.REPLY
